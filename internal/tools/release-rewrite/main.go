// Command release-rewrite pins this repository's actions to the released
// image digest and its workflow and template references to the release ref
// (scripts/release-rewrite.sh runs it), or with -verify checks that the tree
// already is a release commit.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/org/timetracker-ci/pkg/releaserewrite"
)

func main() {
	var opts releaserewrite.Options
	root := flag.String("root", ".", "repository root")
	verify := flag.Bool("verify", false, "only check that the tree is a release commit for --ref (and --image when given)")
	flag.StringVar(&opts.Image, "image", "", "released image by digest, "+releaserewrite.DefaultImage+"@sha256:…")
	flag.StringVar(&opts.Ref, "ref", "", "release tag (v1.2.3) or commit the references are pinned to")
	flag.StringVar(&opts.Repo, "repo", releaserewrite.DefaultRepo, "owner/name as workflows write it in uses:")
	flag.StringVar(&opts.ImageName, "image-name", releaserewrite.DefaultImage, "image repository of the actions")
	flag.Parse()
	ctx := context.Background()
	if *verify {
		probs, err := releaserewrite.Verify(ctx, *root, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, "release-rewrite:", err)
			os.Exit(1)
		}
		for _, p := range probs {
			fmt.Fprintln(os.Stderr, p)
		}
		if len(probs) > 0 {
			fmt.Fprintf(os.Stderr, "release-rewrite: %d references do not point at the release\n", len(probs))
			os.Exit(1)
		}
		fmt.Println("every reference points at the release")
		return
	}
	changes, err := releaserewrite.Rewrite(ctx, *root, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release-rewrite:", err)
		os.Exit(2)
	}
	for _, c := range changes {
		fmt.Printf("%s:%d: %s\n", c.File, c.Line, c.New)
	}
	fmt.Printf("%d references pinned to %s and %s\n", len(changes), opts.Ref, opts.Image)
}
