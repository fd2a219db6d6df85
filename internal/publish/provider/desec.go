package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/libdns/desec"
	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// desecAPI is where deSEC's domains are, https://desec.readthedocs.io.
const desecAPI = "https://desec.io/api/v1/domains/"

// maxDesecBody bounds what is read of one deSEC answer: an RRset holds
// at most 64,000 octets of records.
const maxDesecBody = 1 << 20

// maxRetryAfter bounds how long one rate-limited request waits; the
// context bounds the whole call.
const maxRetryAfter = time.Minute

// desecZone is libdns/desec, with TXT records deleted through deSEC's API
// directly. deSEC returns a TXT value of more than 255 octets as several
// strings (`"v=DKIM1; …" "…"`), and the module matches a record to delete
// against the value it sends (one string), so its DeleteRecords leaves
// such a record, a DKIM key, in place without an error.
type desecZone struct {
	*desec.Provider
	client *http.Client
}

// desecRRset is an RRset as deSEC's API has it: the records in
// presentation form, TXT as quoted strings.
type desecRRset struct {
	Subname string   `json:"subname"`
	Type    string   `json:"type"`
	Records []string `json:"records"`
}

// DeleteRecords removes records exactly: TXT records by their joined
// value, the others through the module.
func (d desecZone) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	var txt, others []libdns.Record
	for _, r := range recs {
		if r.RR().Type == "TXT" {
			txt = append(txt, r)
		} else {
			others = append(others, r)
		}
	}
	var deleted []libdns.Record
	if len(others) > 0 {
		var err error
		if deleted, err = d.Provider.DeleteRecords(ctx, zone, others); err != nil {
			return deleted, err
		}
	}
	// The TXT values to remove, by subname, in their order.
	var subnames []string
	values := map[string][]string{}
	for _, r := range txt {
		rr := r.RR()
		sub := rr.Name
		if sub == "@" {
			sub = ""
		}
		if _, ok := values[sub]; !ok {
			subnames = append(subnames, sub)
		}
		values[sub] = append(values[sub], TXTWhole.decode(rr.Data))
	}
	domain := strings.TrimSuffix(zone, ".")
	for _, sub := range subnames {
		if err := d.deleteTXT(ctx, domain, sub, values[sub]); err != nil {
			return deleted, err
		}
	}
	return append(deleted, txt...), nil
}

// deleteTXT removes the TXT records with the given joined values from
// the RRset at sub, leaving its other records exactly as deSEC holds
// them. A value that is not there is an error: nothing is removed then.
func (d desecZone) deleteTXT(ctx context.Context, domain, sub string, values []string) error {
	name := sub + "." + domain + "."
	if sub == "" {
		name = domain + "."
	}
	// "<subname>.../<type>/" names the apex too (an empty subname).
	var set desecRRset
	found, err := d.do(ctx, http.MethodGet, desecAPI+url.PathEscape(domain)+"/rrsets/"+url.PathEscape(sub)+".../TXT/", nil, &set)
	if err != nil {
		return err
	}
	keep := set.Records
	for _, v := range values {
		i := -1
		if found {
			i = slices.IndexFunc(keep, func(rec string) bool { return desecTXTValue(rec) == v })
		}
		if i < 0 {
			return fmt.Errorf("deSEC holds no TXT record %q at %s; nothing was removed there", steps.Printable(v), name)
		}
		keep = slices.Delete(keep, i, i+1)
	}
	if keep == nil {
		keep = []string{} // no records: deSEC deletes the RRset
	}
	_, err = d.do(ctx, http.MethodPatch, desecAPI+url.PathEscape(domain)+"/rrsets/", []desecRRset{{Subname: sub, Type: "TXT", Records: keep}}, nil)
	return err
}

// desecTXTValue is the joined value of a TXT record in deSEC's
// presentation form, "" when it does not parse.
func desecTXTValue(rec string) string {
	rr, err := dns.NewRR(". 3600 IN TXT " + rec)
	if err != nil {
		return ""
	}
	txt, ok := rr.(*dns.TXT)
	if !ok {
		return ""
	}
	return steps.JoinTXT(txt.Txt)
}

// do sends one request to deSEC's API and decodes its answer into out.
// It reports false for 404 Not Found, and waits as deSEC asks when it
// limits the rate (429 with Retry-After), until the context ends.
func (d desecZone) do(ctx context.Context, method, target string, body, out any) (bool, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return false, err
		}
	}
	for {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Token "+d.Token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := d.client.Do(req)
		if err != nil {
			return false, err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxDesecBody))
		resp.Body.Close()
		if err != nil {
			return false, fmt.Errorf("%s %s: %w", method, target, err)
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || wait < 1 {
				wait = 1
			}
			select {
			case <-time.After(min(time.Duration(wait)*time.Second, maxRetryAfter)):
				continue
			case <-ctx.Done():
				return false, fmt.Errorf("deSEC limits the rate of requests, and waiting was cut short: %w", ctx.Err())
			}
		case resp.StatusCode == http.StatusNotFound && method == http.MethodGet:
			return false, nil
		case resp.StatusCode == http.StatusNoContent:
			return true, nil
		case resp.StatusCode != http.StatusOK:
			return false, fmt.Errorf("%s %s: %s: %s", method, target, resp.Status, data)
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return false, fmt.Errorf("%s %s: the answer is not an RRset: %w", method, target, err)
			}
		}
		return true, nil
	}
}

var _ Zone = desecZone{}
