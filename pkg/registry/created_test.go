package registry

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestCreated(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	host := u.Host
	built := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	image := func(created time.Time, labels map[string]string) v1.Image {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", "amd64"
		cf.Created = v1.Time{Time: created}
		cf.Config.Labels = labels
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		return img
	}
	push := func(tag string, img v1.Image) {
		ref, err := name.NewTag(host + "/org/app:" + tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
	}
	push("label", image(time.Unix(0, 0), map[string]string{CreatedLabel: "2026-11-28T13:00:00+01:00"}))
	push("created", image(built, nil))
	push("bad-label", image(built, map[string]string{CreatedLabel: "yesterday"}))
	push("none", image(time.Unix(0, 0), nil))
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: image(built, nil), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	ref, _ := name.NewTag(host + "/org/app:index")
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		tag     string
		want    time.Time
		wantErr error
	}{
		{"label", built, nil},   // the label wins over the epoch placeholder
		{"created", built, nil}, // no label: the config's created time
		{"bad-label", built, nil},
		{"index", built, nil}, // an index: its first image
		{"none", time.Time{}, ErrNoCreated},
	} {
		got, err := Created(context.Background(), host+"/org/app:"+c.tag, WithInsecure(host))
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s: err = %v, want %v", c.tag, err, c.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: %v, %v; want %v", c.tag, got, err, c.want)
		}
	}
	if _, err := Created(context.Background(), host+"/org/app:missing", WithInsecure(host)); err == nil {
		t.Error("a missing image gave a time")
	}
}
