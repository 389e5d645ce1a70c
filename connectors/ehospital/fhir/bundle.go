package fhir

import "encoding/json"

// Bundle is a FHIR Bundle; klynge reads and the sandbox serves searchsets.
type Bundle struct {
	ResourceType string        `json:"resourceType"` // "Bundle"
	ID           string        `json:"id,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Type         string        `json:"type"` // "searchset"
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is one of self, next, previous.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry holds one resource; Search.Mode is "match" for hits and
// "include" for resources added by _include/_revinclude.
type BundleEntry struct {
	FullURL  string             `json:"fullUrl,omitempty"`
	Resource json.RawMessage    `json:"resource,omitempty"`
	Search   *BundleEntrySearch `json:"search,omitempty"`
}

// BundleEntrySearch says why an entry is in a searchset.
type BundleEntrySearch struct {
	Mode string `json:"mode,omitempty"`
}

// NextURL is the link with relation "next", or "".
func (b *Bundle) NextURL() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}
