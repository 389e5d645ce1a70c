// Command errorsdoc writes docs/ERRORS.md from package errcode; go generate
// runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/sundhedsklynge/klynge/errcode"
)

func main() {
	out := flag.String("out", "docs/ERRORS.md", "file to write")
	flag.Parse()
	var b bytes.Buffer
	if err := errcode.WriteMarkdown(&b); err != nil {
		fmt.Fprintln(os.Stderr, "errorsdoc:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "errorsdoc:", err)
		os.Exit(1)
	}
}
