package release

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
)

// stripped reports what -s -w left in an executable for goos: whether it
// still carries DWARF (-w drops it) and how many symbols it defines (-s
// drops them; a Mach-O file keeps its undefined imports, which don't count).
// The go command does not record -ldflags in a -trimpath build, so the file
// itself is the evidence.
func stripped(goos string, data []byte) (hasDWARF bool, symbols int, err error) {
	r := bytes.NewReader(data)
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			return false, 0, err
		}
		_, dwarfErr := f.DWARF()
		syms, err := f.Symbols()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			return false, 0, err
		}
		return dwarfErr == nil, len(syms), nil
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			return false, 0, err
		}
		_, dwarfErr := f.DWARF()
		if f.Symtab != nil {
			for _, s := range f.Symtab.Syms {
				if s.Sect != 0 {
					symbols++
				}
			}
		}
		return dwarfErr == nil, symbols, nil
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			return false, 0, err
		}
		_, dwarfErr := f.DWARF()
		return dwarfErr == nil, len(f.Symbols), nil
	default:
		return false, 0, fmt.Errorf("no executable format known for %s", goos)
	}
}
