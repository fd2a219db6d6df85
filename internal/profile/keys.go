package profile

import (
	"bufio"
	"bytes"
	"reflect"
	"strconv"
	"strings"
)

// keyLines maps each key of a TOML document to the first line that sets
// it, as "table.key" inside a table. Inside the n-th table of an array of
// tables ([[domains]]), a key is also mapped as "domains.n.key" (n from
// 1), and the table's header as "domains.n". It reads only what a profile
// holds (key = value lines and [table] headers) and ignores anything it
// does not understand: it only serves to put line numbers in messages.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	table, entry := "", ""
	arrays := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxSize+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			name, _, _ := strings.Cut(strings.Trim(line, "[]"), "]")
			table = strings.TrimSpace(strings.Trim(name, "[]"))
			if _, seen := lines[table]; !seen && table != "" {
				lines[table] = n
			}
			entry = ""
			if strings.HasPrefix(line, "[[") && table != "" {
				arrays[table]++
				entry = table + "." + strconv.Itoa(arrays[table])
				lines[entry] = n
			}
			continue
		}
		raw, _, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		key, ok := bareKey(strings.TrimSpace(raw))
		if !ok {
			continue
		}
		if entry != "" {
			if _, seen := lines[entry+"."+key]; !seen {
				lines[entry+"."+key] = n
			}
		}
		if table != "" {
			key = table + "." + key
		}
		if _, seen := lines[key]; !seen {
			lines[key] = n
		}
	}
	return lines
}

// bareKey accepts a TOML bare key or a simply quoted one.
func bareKey(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	if s == "" {
		return "", false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", false
		}
	}
	return s, true
}

// knownKeys are the keys of the file format, from its struct tags.
func knownKeys() []string {
	t := reflect.TypeFor[file]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		keys = append(keys, name)
	}
	return keys
}

// nearestKey suggests the known key within two edits of key, if any: of
// a key in a [[domains]] table, the key as it is spelt there.
func nearestKey(key string) string {
	if rest, ok := strings.CutPrefix(key, "domains."); ok {
		return nearestKey(rest)
	}
	best, bestDist := "", 3
	for _, k := range knownKeys() {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
