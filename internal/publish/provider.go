package publish

import (
	"context"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Provider is a DNS zone that publish reads and changes. Names are
// absolute ("mail.example.com."); TXT values are joined and unquoted, as
// in steps.Record, and the provider splits them into strings as its API
// needs. Implementations must honour the context's deadline and never put
// a credential in an error.
type Provider interface {
	// Records returns every record of zone.
	Records(ctx context.Context, zone string) ([]steps.Record, error)
	// Append adds recs to zone and changes no other record.
	Append(ctx context.Context, zone string, recs []steps.Record) error
	// Delete removes exactly recs from zone, each matched by name, type
	// and value, and changes no other record.
	Delete(ctx context.Context, zone string, recs []steps.Record) error
}
