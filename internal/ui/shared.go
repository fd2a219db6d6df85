package ui

import "time"

// shared is what every screen of the wizard reads: the window size, the
// styles for the terminal's background, the key map and the clock. The root
// model owns it and is the only writer.
type shared struct {
	width, height int
	styles        styles
	keys          keyMap
	look          look
	now           func() time.Time
}

// look is how the wizard should look: background, colour and screen-share
// mode. Styles are rebuilt from it.
type look struct {
	dark    bool
	noColor bool
	present bool
}

// Layout limits.
const (
	minWidth  = 60 // below this the wizard says the window is too small
	minHeight = 18
	wideWidth = 120 // from this width the record card sits beside the status
)

// tooSmall reports whether the window cannot show a screen completely.
func (s *shared) tooSmall() bool {
	return s.width > 0 && s.height > 0 && (s.width < minWidth || s.height < minHeight)
}

// wide reports whether there is room for two columns.
func (s *shared) wide() bool { return s.width >= wideWidth }

// bodyWidth is the width inside the app's horizontal padding.
func (s *shared) bodyWidth() int {
	return max(s.width-2*s.styles.padX, 20)
}
