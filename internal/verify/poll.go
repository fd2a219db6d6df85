package verify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Poll runs check every interval until done holds for its result or ctx
// ends; it returns the last result, and ctx.Err() when ctx ended first. The
// first check runs at once. The interval is counted from the end of one
// check to the start of the next. A non-positive interval or a nil check or
// done is an error, and nothing is checked.
func Poll[T any](ctx context.Context, interval time.Duration, check func(context.Context) T, done func(T) bool) (T, error) {
	var last T
	switch {
	case interval <= 0:
		return last, fmt.Errorf("poll interval %s: must be positive", interval)
	case check == nil || done == nil:
		return last, errors.New("poll needs a check and a done function")
	}
	for {
		last = check(ctx)
		if done(last) {
			return last, nil
		}
		if err := ctx.Err(); err != nil {
			return last, err
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return last, ctx.Err()
		case <-timer.C:
		}
	}
}
