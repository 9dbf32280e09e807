// Decodes sample bodies into the Go types quicktype generated from the
// bundle, and checks that nothing is lost on the way. test/codegen/go.test.ts
// builds it together with the generated types.go and a registry_gen.go that
// maps each type name to a constructor (var constructors).
//
// Usage: check SAMPLES.json   (a list of {"id", "type", "instance"})
// Prints one JSON object per sample: {"id", "ok", "error"}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
)

type sample struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Instance json.RawMessage `json:"instance"`
}

type result struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// generic decodes JSON keeping numbers exact, for comparisons.
func generic(data []byte) (interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v interface{}
	err := dec.Decode(&v)
	return v, err
}

func isEmpty(v interface{}) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []interface{}:
		return len(x) == 0
	case map[string]interface{}:
		return len(x) == 0
	}
	return false
}

// lost names the first value of want that got is missing or has changed.
// A null or empty list/object may come back absent: Go's omitempty drops them.
func lost(want, got interface{}, at string) string {
	switch w := want.(type) {
	case map[string]interface{}:
		g, ok := got.(map[string]interface{})
		if !ok {
			if isEmpty(w) && got == nil {
				return ""
			}
			return fmt.Sprintf("%s: an object became %v", at, got)
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, present := g[k]
			if !present {
				if isEmpty(w[k]) {
					continue
				}
				return fmt.Sprintf("%s/%s: dropped", at, k)
			}
			if msg := lost(w[k], gv, at+"/"+k); msg != "" {
				return msg
			}
		}
		return ""
	case []interface{}:
		g, ok := got.([]interface{})
		if !ok || len(g) != len(w) {
			if len(w) == 0 && got == nil {
				return ""
			}
			return fmt.Sprintf("%s: a list of %d became %v", at, len(w), got)
		}
		for i := range w {
			if msg := lost(w[i], g[i], fmt.Sprintf("%s/%d", at, i)); msg != "" {
				return msg
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: %v became %v", at, want, got)
		}
		return ""
	}
}

func check(s sample) result {
	construct, ok := constructors[s.Type]
	if !ok {
		return result{ID: s.ID, Error: fmt.Sprintf("no generated Go type %q", s.Type)}
	}
	target := construct()
	dec := json.NewDecoder(bytes.NewReader(s.Instance))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return result{ID: s.ID, Error: "decode: " + err.Error()}
	}
	encoded, err := json.Marshal(target)
	if err != nil {
		return result{ID: s.ID, Error: "encode: " + err.Error()}
	}
	want, err := generic(s.Instance)
	if err != nil {
		return result{ID: s.ID, Error: "sample is not JSON: " + err.Error()}
	}
	got, _ := generic(encoded)
	if msg := lost(want, got, ""); msg != "" {
		return result{ID: s.ID, Error: "round trip lost data at " + msg + " (re-encoded: " + string(encoded) + ")"}
	}
	return result{ID: s.ID, OK: true}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: check SAMPLES.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	var samples []sample
	if err := json.Unmarshal(data, &samples); err != nil {
		fmt.Fprintln(os.Stderr, "check: bad samples file:", err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	for _, s := range samples {
		if err := out.Encode(check(s)); err != nil {
			fmt.Fprintln(os.Stderr, "check:", err)
			os.Exit(1)
		}
	}
}
