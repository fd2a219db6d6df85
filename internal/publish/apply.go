package publish

import (
	"context"
	"fmt"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Applied is what Apply did.
type Applied struct {
	// Added and Deleted count the records sent.
	Added, Deleted int
}

// Apply sends the plan's changes through the provider: every addition
// first, then every deletion, so that a name being replaced is never left
// without a record; an alias (CNAME) being replaced is removed first, as
// a name holds one alias at most. It sends nothing more than the plan says, and nothing
// at all for a plan with nothing to change. An error says which half
// failed; what was applied before it stays, and computing the plan again
// shows what is left.
func Apply(ctx context.Context, prov Provider, p Plan) (Applied, error) {
	var done Applied
	var aliases, others []steps.Record
	for _, r := range p.Deletions() {
		if r.Type == "CNAME" {
			aliases = append(aliases, r)
		} else {
			others = append(others, r)
		}
	}
	if err := remove(ctx, prov, p.Zone, aliases, &done); err != nil {
		return done, err
	}
	if add := p.Additions(); len(add) > 0 {
		if err := prov.Append(ctx, p.Zone, add); err != nil {
			return done, fmt.Errorf("add %s to %s: %w", plural(len(add), "record", "records"), p.Zone, err)
		}
		done.Added = len(add)
	}
	return done, remove(ctx, prov, p.Zone, others, &done)
}

func remove(ctx context.Context, prov Provider, zone string, del []steps.Record, done *Applied) error {
	if len(del) == 0 {
		return nil
	}
	if err := prov.Delete(ctx, zone, del); err != nil {
		return fmt.Errorf("remove %s from %s: %w", plural(len(del), "record", "records"), zone, err)
	}
	done.Deleted += len(del)
	return nil
}
