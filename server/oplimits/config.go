package oplimits

// Config holds the limits. A zero field means its default (Defaults);
// Unlimited (-1) switches one limit off.
type Config struct {
	// MaxDocumentBytes bounds the GraphQL document's length in bytes.
	MaxDocumentBytes int
	// MaxTokens bounds the lexical tokens of the document, counted before
	// parsing.
	MaxTokens int
	// MaxDepth bounds the nesting of fields, through fragments.
	// Introspection (__schema, __type) is not counted: gqlparser bounds it.
	MaxDepth int
	// MaxAliases bounds the aliased fields in the document.
	MaxAliases int
	// MaxRootFields bounds the fields at the top of one operation.
	MaxRootFields int
	// MaxDirectivesPerField bounds the directives on one field, fragment
	// spread or inline fragment.
	MaxDirectivesPerField int
	// MaxCost bounds the operation's cost (see Cost).
	MaxCost int
	// AssumedListSize is the length the cost model assumes for a list field
	// that has neither a `first` argument nor a list argument.
	AssumedListSize int
	// FieldCosts overrides the cost of one instance of a field, keyed by
	// "Type.field" (e.g. "Citizen.timeline"). Without an entry an object
	// field costs 1 and a scalar or enum field 0.
	FieldCosts map[string]int
	// ListSizes override AssumedListSize for one list field without a size
	// argument, keyed "Type.field" (e.g. "Region.municipalities": 30).
	ListSizes map[string]int
}

// Unlimited switches a limit off.
const Unlimited = -1

// Defaults are the limits klynge runs with unless configured otherwise. They
// leave room for the queries portals are known to send — the list page of
// docs/queries/citizen-list.graphql at its maximum of 500 citizens costs
// 39,000 — and refuse the shapes that fan out upstream: 500 citizens with
// every connection at 100 per page cost millions.
var Defaults = Config{
	MaxDocumentBytes:      64 << 10,
	MaxTokens:             5000,
	MaxDepth:              12,
	MaxAliases:            30,
	MaxRootFields:         20,
	MaxDirectivesPerField: 5,
	MaxCost:               50000,
	AssumedListSize:       10,
}

// withDefaults fills zero fields from Defaults.
func (c Config) withDefaults() Config {
	pick := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	d := Defaults
	c.MaxDocumentBytes = pick(c.MaxDocumentBytes, d.MaxDocumentBytes)
	c.MaxTokens = pick(c.MaxTokens, d.MaxTokens)
	c.MaxDepth = pick(c.MaxDepth, d.MaxDepth)
	c.MaxAliases = pick(c.MaxAliases, d.MaxAliases)
	c.MaxRootFields = pick(c.MaxRootFields, d.MaxRootFields)
	c.MaxDirectivesPerField = pick(c.MaxDirectivesPerField, d.MaxDirectivesPerField)
	c.MaxCost = pick(c.MaxCost, d.MaxCost)
	c.AssumedListSize = pick(c.AssumedListSize, d.AssumedListSize)
	if c.AssumedListSize < 0 {
		c.AssumedListSize = 0
	}
	return c
}

// exceeds reports whether v is over limit, where a negative limit is none.
func exceeds(v, limit int) bool { return limit >= 0 && v > limit }
