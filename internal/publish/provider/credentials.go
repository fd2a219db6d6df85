package provider

import (
	"bufio"
	"fmt"
	"slices"
	"strings"
)

// Var is one environment variable a provider reads.
type Var struct {
	// Name is the variable: "CLOUDFLARE_API_TOKEN".
	Name string
	// Required variables must be set; the others have defaults.
	Required bool
	// Secret variables are scrubbed from every error and never printed.
	Secret bool
	// About says what it holds, for the README and the errors.
	About string
}

// Credentials are a provider's variables by name, from the environment or
// from a file. They hold secrets: never print them.
type Credentials map[string]string

// ReadCredentials takes the provider's variables from the file data when
// it is given (file names it in errors), else from getenv. A file holds
// NAME=VALUE lines with the same names as the environment variables,
// optionally quoted, with # comments. Errors never quote a value.
func (s Spec) ReadCredentials(getenv func(string) string, file string, data []byte) (Credentials, error) {
	c := Credentials{}
	if file == "" {
		for _, v := range s.Vars {
			if val := strings.TrimSpace(getenv(v.Name)); val != "" {
				c[v.Name] = val
			}
		}
		return c, s.complete(c, "in the environment")
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%s:%d: expected NAME=value", file, n)
		}
		if !slices.ContainsFunc(s.Vars, func(v Var) bool { return v.Name == name }) {
			return nil, fmt.Errorf("%s:%d: %s is not a variable of %s, which reads %s", file, n, quoteName(name), s.Title, s.varNames())
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		c[name] = value
	}
	return c, s.complete(c, "in "+file)
}

// quoteName quotes a variable name from a file only when it looks like
// one (upper case, digits and underscores, with an underscore, as
// OVH_CONSUMER_KEY): what stands before "=" may be a pasted secret.
func quoteName(name string) string {
	looks := len(name) <= 40 && strings.Contains(name, "_") && !strings.HasPrefix(name, "_") &&
		strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
	if !looks {
		return "the name on this line"
	}
	return fmt.Sprintf("%q", name)
}

// complete reports the first required variable that is missing.
func (s Spec) complete(c Credentials, where string) error {
	for _, v := range s.Vars {
		if v.Required && c[v.Name] == "" {
			return fmt.Errorf("%s needs %s (%s), and it is not set %s", s.Title, v.Name, v.About, where)
		}
	}
	return nil
}

func (s Spec) varNames() string {
	names := make([]string, len(s.Vars))
	for i, v := range s.Vars {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// secrets are the values of the secret variables.
func (s Spec) secrets(c Credentials) []string {
	var out []string
	for _, v := range s.Vars {
		if v.Secret && c[v.Name] != "" {
			out = append(out, c[v.Name])
		}
	}
	return out
}
