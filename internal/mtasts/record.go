package mtasts

import (
	"errors"
	"fmt"
	"time"
)

// Version is the version of MTA-STS records and policies (RFC 8461 §3.1,
// §3.2).
const Version = "STSv1"

// recordVersion starts every MTA-STS TXT record.
const recordVersion = "v=" + Version

// maxIDLen is the longest policy id (RFC 8461 §3.1: 1*32(ALPHA / DIGIT)).
const maxIDLen = 32

// Record is a parsed _mta-sts TXT record (RFC 8461 §3.1).
type Record struct {
	// ID names the policy instance: senders fetch the policy again when
	// it changes.
	ID string
	// Extensions are the other fields, which senders ignore.
	Extensions []Field
	// Ignored lists repeated id= fields, of which senders read only the
	// first, as written.
	Ignored []string
}

// String renders the record as it is published: "v=STSv1; id=…".
func (r Record) String() string {
	s := recordVersion + "; id=" + r.ID
	for _, f := range r.Extensions {
		s += "; " + f.Name + "=" + f.Value
	}
	return s
}

// IsRecord reports whether a TXT record is meant as an MTA-STS record: it
// starts with v=STSv1 in any case, after any spaces. Senders only read
// records that start with exactly "v=STSv1;", so such a record may still
// not parse; it still counts when telling whether there is more than one.
func IsRecord(txt string) bool { return looksLike(txt, recordVersion) }

// ParseRecord parses an _mta-sts TXT record, its strings joined (RFC 8461
// §3.1). The error is a *SyntaxError.
func ParseRecord(txt string) (Record, error) {
	tags, err := parseTags(txt, recordVersion, "MTA-STS record")
	if err != nil {
		return Record{}, err
	}
	var r Record
	seen := false
	for _, t := range tags {
		if t.name != "id" {
			if p := badExtValue(t.value); p != "" {
				return Record{}, &SyntaxError{Pos: t.pos, Text: t.name + "=" + t.value, Problem: p}
			}
			r.Extensions = append(r.Extensions, Field{Name: t.name, Value: t.value})
			continue
		}
		if p := badID(t.value); p != "" {
			return Record{}, &SyntaxError{Pos: t.pos, Text: "id=" + t.value, Problem: p}
		}
		if seen {
			// RFC 8461 §3.2: of a repeated field, only the first counts.
			r.Ignored = append(r.Ignored, "id="+t.value)
			continue
		}
		r.ID, seen = t.value, true
	}
	if !seen {
		return Record{}, &SyntaxError{Problem: "the MTA-STS record has no id= field, which is required"}
	}
	return r, nil
}

// badID says what is wrong with a policy id, or "" when nothing is.
func badID(id string) string {
	if len(id) > maxIDLen {
		return fmt.Sprintf("the id has %d characters; it may have at most %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return fmt.Sprintf("the id may hold only letters and digits, not %q", rune(id[i]))
		}
	}
	return ""
}

// NewID makes a policy id from a time: the UTC timestamp
// "20260301T120000Z", which only grows, so that each new policy gets an id
// senders have not seen.
func NewID(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// CheckID says what keeps id from being a policy id (RFC 8461 §3.1: 1 to
// 32 letters and digits), or nil.
func CheckID(id string) error {
	if id == "" {
		return errors.New("the id is empty")
	}
	if p := badID(id); p != "" {
		return errors.New(p)
	}
	return nil
}
