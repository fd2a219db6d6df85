// Command printinfo prints buildinfo.Get() on one line; the buildinfo tests
// build it with the release build's linker flags.
package main

import (
	"fmt"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
)

func main() {
	fmt.Println(buildinfo.Get())
}
