package v1

// Meta gives the validator the metadata of any object that embeds
// ObjectMeta (the role of upstream's metav1.Object).
func (m *ObjectMeta) Meta() *ObjectMeta { return m }
