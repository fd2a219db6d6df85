package dkimkey

import "testing"

func BenchmarkParseRecord(b *testing.B) {
	value := "v=DKIM1; k=rsa; t=s; p=" + pValue(b, fixtureKey(b, "rsa2048.pem"))
	for b.Loop() {
		if _, err := ParseRecord(value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecordMangled(b *testing.B) {
	value := ("v=DKIM1; k=rsa; p=" + pValue(b, fixtureKey(b, "rsa2048.pem")))[:255]
	for b.Loop() {
		if _, err := ParseRecord(value); err == nil {
			b.Fatal("a cut record parsed")
		}
	}
}
