package bulk

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DomainColumn is the column of a CSV domains file that names the domain;
// every CSV domains file has it.
const DomainColumn = "domain"

// maxLine bounds one line of a domains file: a row names a domain and a
// few flags' values.
const maxLine = 64 << 10

// Row is one domain of a domains file.
type Row struct {
	// Line is the row's line in the file, from 1.
	Line int
	// Domain is the domain as the file gives it, trimmed.
	Domain string
	// Columns are the values of the row's other CSV columns, by column
	// name: each cell split at spaces and commas. A column whose cell is
	// empty is not in it; a file of one domain a line has none.
	Columns map[string][]string
	// CSV is set for a row of a CSV file.
	CSV bool
}

// Has reports whether the row sets column.
func (r Row) Has(column string) bool {
	_, ok := r.Columns[column]
	return ok
}

// RowError is a row that cannot be read: the file goes on with the next.
type RowError struct {
	File string
	Line int
	// Column names the CSV column at fault, when one is.
	Column  string
	Problem string
}

// Error names the file, the line and the column: "domains.csv:7: ip:
// "192.0.2.x" is not an IP address".
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Problem)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
}

// FileError is a domains file that cannot be read at all (an unknown
// column in the header, a read error): nothing in it is checked.
type FileError struct {
	File string
	// Line is the line at fault, 0 for the file as a whole.
	Line    int
	Problem string
}

// Error names the file and, when there is one, the line.
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Problem)
}

// Reader reads the rows of a domains file in one of two forms. A file of
// one domain a line ignores blank lines and everything from a # to the end
// of a line. A CSV file (RFC 4180) has a header first, whose columns are
// DomainColumn and any of the names the Reader is given (the check flags'
// names, without --); lines that start with # and blank lines are ignored
// there too. A file is CSV when its first line that is not blank or a
// comment holds a comma, or is the header "domain" alone.
type Reader struct {
	name    string
	columns []string
	br      *bufio.Reader
	line    int
	started bool
	// csv is set once the file turned out to be CSV.
	csv    *csv.Reader
	header []string
	// offset is what the csv reader's line numbers are off by.
	offset int
	// lastErr is the line of the last CSV error, so that a reader stuck
	// at one place stops.
	lastErr int
	// pending is the first line of a file of one domain a line, read to
	// tell the form.
	pending *string
	done    bool
}

// NewReader returns a Reader of r, which names name in its errors, for a
// CSV header whose other columns may be any of columns.
func NewReader(r io.Reader, name string, columns []string) *Reader {
	return &Reader{name: name, columns: columns, br: bufio.NewReaderSize(r, 64<<10)}
}

// IsCSV reports whether the file is CSV; it is known once Next returned a
// row or an error.
func (r *Reader) IsCSV() bool { return r.csv != nil }

// Next returns the next row. At the end it returns io.EOF; for a row that
// cannot be read, a *RowError (call Next again for the rows after it); for
// a file that cannot be read, a *FileError (the reader stops).
func (r *Reader) Next() (Row, error) {
	if r.done {
		return Row{}, io.EOF
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.done = true
			return Row{}, err
		}
	}
	if r.csv != nil {
		return r.nextCSV()
	}
	return r.nextLine()
}

// readLine reads one line without its end; io.EOF after the last.
func (r *Reader) readLine() (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.br.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				break
			}
			return "", err
		}
		b.Write(chunk)
		if b.Len() > maxLine {
			r.line++
			return "", &FileError{File: r.name, Line: r.line, Problem: fmt.Sprintf("a line longer than %d bytes; a domains file holds a domain and a few values a line", maxLine)}
		}
		if !isPrefix {
			break
		}
	}
	r.line++
	return b.String(), nil
}

// start reads up to the first line that is not blank or a comment, and
// decides the form.
func (r *Reader) start() error {
	for {
		text, err := r.readLine()
		switch {
		case errors.Is(err, io.EOF):
			return io.EOF
		case err != nil:
			return r.readError(err)
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		first := strings.TrimSpace(uncomment(text))
		if !strings.Contains(first, ",") && !strings.EqualFold(first, DomainColumn) {
			// One domain a line: read this one again as the first row.
			r.pending = &text
			return nil
		}
		return r.startCSV(text)
	}
}

// readError is a read error of the file.
func (r *Reader) readError(err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	return &FileError{File: r.name, Problem: "cannot be read: " + err.Error()}
}

// uncomment drops a # and what follows it.
func uncomment(s string) string {
	s, _, _ = strings.Cut(s, "#")
	return s
}

// nextLine returns the next row of a file of one domain a line.
func (r *Reader) nextLine() (Row, error) {
	for {
		var text string
		if r.pending != nil {
			text, r.pending = *r.pending, nil
		} else {
			var err error
			text, err = r.readLine()
			switch {
			case errors.Is(err, io.EOF):
				r.done = true
				return Row{}, io.EOF
			case err != nil:
				r.done = true
				return Row{}, r.readError(err)
			}
		}
		s := strings.TrimSpace(uncomment(text))
		if s == "" {
			continue
		}
		if strings.ContainsFunc(s, func(c rune) bool { return unicode.IsSpace(c) || c == ',' }) {
			return Row{}, &RowError{File: r.name, Line: r.line, Problem: fmt.Sprintf(
				"%s: want one domain a line (a CSV file starts with a header line, such as domain,ip)", quote(s))}
		}
		return Row{Line: r.line, Domain: s}, nil
	}
}

// startCSV reads the header of a CSV file, whose first line is text.
func (r *Reader) startCSV(text string) error {
	r.offset = r.line - 1
	cr := csv.NewReader(io.MultiReader(strings.NewReader(text+"\n"), r.br))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return &FileError{File: r.name, Line: r.line, Problem: "the header does not parse as CSV: " + csvProblem(err)}
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "--"))
		switch {
		case name == "":
			return &FileError{File: r.name, Line: r.line, Problem: fmt.Sprintf("column %d of the header has no name", i+1)}
		case name != DomainColumn && !slices.Contains(r.columns, name):
			return &FileError{File: r.name, Line: r.line, Problem: fmt.Sprintf(
				"column %s is not a flag of check; the columns are %s and %s", quote(h), DomainColumn, strings.Join(r.columns, ", "))}
		case slices.Contains(header[:i], name):
			return &FileError{File: r.name, Line: r.line, Problem: fmt.Sprintf("column %s is in the header twice", name)}
		}
		header[i] = name
	}
	if !slices.Contains(header, DomainColumn) {
		return &FileError{File: r.name, Line: r.line, Problem: "the header has no domain column"}
	}
	r.csv, r.header = cr, header
	return nil
}

// nextCSV returns the next row of a CSV file.
func (r *Reader) nextCSV() (Row, error) {
	rec, err := r.csv.Read()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		r.done = true
		return Row{}, io.EOF
	case errors.As(err, &pe):
		line := r.offset + pe.StartLine
		if line == r.lastErr {
			// The reader is stuck (an open quote that runs to the end).
			r.done = true
		}
		r.lastErr = line
		return Row{}, &RowError{File: r.name, Line: line, Problem: "does not parse as CSV: " + csvProblem(err)}
	case err != nil:
		r.done = true
		return Row{}, r.readError(err)
	}
	first, _ := r.csv.FieldPos(0)
	line := r.offset + first
	if len(rec) != len(r.header) {
		return Row{}, &RowError{File: r.name, Line: line, Problem: fmt.Sprintf("has %d fields; the header has %d", len(rec), len(r.header))}
	}
	row := Row{Line: line, CSV: true}
	for i, name := range r.header {
		cell := strings.TrimSpace(rec[i])
		switch {
		case name == DomainColumn:
			row.Domain = cell
		case cell != "":
			if row.Columns == nil {
				row.Columns = make(map[string][]string)
			}
			row.Columns[name] = strings.FieldsFunc(cell, func(c rune) bool { return unicode.IsSpace(c) || c == ',' })
		}
	}
	if row.Domain == "" {
		return Row{}, &RowError{File: r.name, Line: line, Column: DomainColumn, Problem: "empty"}
	}
	return row, nil
}

// csvProblem is what encoding/csv says, without the position it repeats.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// quote quotes a stranger's text for a message, escaped and cut short.
func quote(s string) string {
	const most = 80
	if utf8.RuneCountInString(s) > most {
		s = string([]rune(s)[:most]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Count counts the rows of a domains file, for progress: lines that are
// not blank or comments, less the header of a CSV file. A row that spans
// lines (a quoted line break) counts once per line.
func Count(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	n, csvForm, first := 0, false, true
	for {
		line, err := br.ReadString('\n')
		if s := strings.TrimSpace(line); s != "" && !strings.HasPrefix(s, "#") {
			if first {
				first = false
				head := strings.TrimSpace(uncomment(s))
				csvForm = strings.Contains(head, ",") || strings.EqualFold(head, DomainColumn)
			}
			n++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if csvForm {
		n--
	}
	return n, nil
}
