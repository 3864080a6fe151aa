package vulnscan

import "testing"

func TestCompareDebian(t *testing.T) {
	// Each version is lower than the next (dpkg --compare-versions lt).
	order := []string{"1.0~rc1", "1.0", "1.0-1", "1.0-1+deb12u1", "1.0-2", "1.0a", "1.0.1", "1.1", "2:0.1"}
	for i := 0; i+1 < len(order); i++ {
		if c := compareDebian(order[i], order[i+1]); c >= 0 {
			t.Errorf("compareDebian(%s, %s) = %d, want < 0", order[i], order[i+1], c)
		}
		if c := compareDebian(order[i+1], order[i]); c <= 0 {
			t.Errorf("compareDebian(%s, %s) = %d, want > 0", order[i+1], order[i], c)
		}
	}
	for _, eq := range [][2]string{{"0:1.0", "1.0"}, {"3.0.11-1~deb12u2", "3.0.11-1~deb12u2"}, {"1.01", "1.1"}} {
		if c := compareDebian(eq[0], eq[1]); c != 0 {
			t.Errorf("compareDebian(%s, %s) = %d, want 0", eq[0], eq[1], c)
		}
	}
	if compareDebian("3.0.11-1~deb12u2", "3.0.11-1") >= 0 {
		t.Error("~deb12u2 should sort before the plain revision")
	}
}

func TestComparePEP440(t *testing.T) {
	order := []string{"1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1.1.dev0", "1.1", "2!0.1"}
	for i := 0; i+1 < len(order); i++ {
		a, b := parsePEP440(order[i]), parsePEP440(order[i+1])
		if !a.ok || !b.ok {
			t.Fatalf("unparsed %s or %s", order[i], order[i+1])
		}
		if c := comparePEP440(a, b); c >= 0 {
			t.Errorf("%s vs %s = %d, want < 0", order[i], order[i+1], c)
		}
		if c := comparePEP440(b, a); c <= 0 {
			t.Errorf("%s vs %s = %d, want > 0", order[i+1], order[i], c)
		}
	}
	for _, eq := range [][2]string{{"1.0", "1.0.0"}, {"1.0+local.1", "1.0"}, {"1.0-1", "1.0.post1"}, {"1.0RC1", "1.0rc1"}} {
		if c := comparePEP440(parsePEP440(eq[0]), parsePEP440(eq[1])); c != 0 {
			t.Errorf("%s vs %s = %d, want 0", eq[0], eq[1], c)
		}
	}
	if parsePEP440("not a version").ok {
		t.Error("parsed garbage")
	}
}

func FuzzVersions(f *testing.F) {
	f.Add("1.0-1+deb12u1", "1.0a1")
	f.Add("2:1.0~rc1", "1!2.0.post3.dev4")
	f.Fuzz(func(t *testing.T, a, b string) {
		// Antisymmetric, and no panic.
		if c1, c2 := compareDebian(a, b), compareDebian(b, a); c1 != -c2 {
			t.Fatalf("compareDebian(%q,%q)=%d but reversed %d", a, b, c1, c2)
		}
		pa, pb := parsePEP440(a), parsePEP440(b)
		if pa.ok && pb.ok {
			if c1, c2 := comparePEP440(pa, pb), comparePEP440(pb, pa); c1 != -c2 {
				t.Fatalf("comparePEP440(%q,%q)=%d but reversed %d", a, b, c1, c2)
			}
		}
	})
}
