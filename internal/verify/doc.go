// Package verify is the mechanics of mailwizard: it finds the authoritative
// nameservers of a zone, asks each of them directly and in parallel, asks the
// recursive resolvers for a second opinion, and reports who said what.
//
// verify decides nothing about mail. It never sleeps except in Poll, never
// prints, and every exchange has a deadline taken from a context. It is the
// only package of mailwizard that talks to the network.
package verify
