package registry

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/sundhedsklynge/klynge/domain"
)

//go:embed data/municipalities.csv
var municipalitiesCSV []byte

//go:embed data/clusters.json
var clustersJSON []byte

// Registry is the parsed, validated snapshot. It is immutable and safe for
// concurrent use.
type Registry struct {
	regions        []Region
	municipalities []Municipality
	clusters       []Cluster
	byMunicipality map[domain.MunicipalityCode]int
	byCluster      map[string]int
	clustersOf     map[domain.MunicipalityCode][]int
}

// Load parses and validates the embedded snapshot.
func Load() (*Registry, error) {
	return parse(municipalitiesCSV, clustersJSON)
}

func parse(municipalities, clusters []byte) (*Registry, error) {
	r := &Registry{
		regions:        danishRegions(),
		byMunicipality: map[domain.MunicipalityCode]int{},
		byCluster:      map[string]int{},
		clustersOf:     map[domain.MunicipalityCode][]int{},
	}
	if err := r.loadMunicipalities(municipalities); err != nil {
		return nil, fmt.Errorf("registry: municipalities.csv: %w", err)
	}
	if err := r.loadClusters(clusters); err != nil {
		return nil, fmt.Errorf("registry: clusters.json: %w", err)
	}
	return r, nil
}

func (r *Registry) loadMunicipalities(data []byte) error {
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	if !slices.Equal(header, []string{"code", "name", "region_code", "region_name"}) {
		return fmt.Errorf("header %v: want code,name,region_code,region_name", header)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		code, err := strconv.Atoi(rec[0])
		if err != nil || code < 100 || code > 999 {
			return fmt.Errorf("line %d: code %q: must be a 3-digit municipality code", line, rec[0])
		}
		region, err := strconv.Atoi(rec[2])
		if err != nil {
			return fmt.Errorf("line %d: region_code %q: must be a number", line, rec[2])
		}
		if _, ok := r.Region(region); !ok {
			return fmt.Errorf("line %d: region_code %d: not one of the five regions", line, region)
		}
		m := Municipality{Code: domain.MunicipalityCode(code), Name: rec[1], RegionCode: region}
		if _, dup := r.byMunicipality[m.Code]; dup {
			return fmt.Errorf("line %d: code %d appears twice", line, code)
		}
		r.byMunicipality[m.Code] = len(r.municipalities)
		r.municipalities = append(r.municipalities, m)
	}
	return nil
}

func (r *Registry) loadClusters(data []byte) error {
	var wire []clusterJSON
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	for i, w := range wire {
		c, err := w.toCluster()
		if err != nil {
			return fmt.Errorf("cluster %d (%s): %w", i, w.ID, err)
		}
		if _, dup := r.byCluster[c.ID]; dup {
			return fmt.Errorf("cluster %d: id %q appears twice", i, c.ID)
		}
		for _, m := range c.Members {
			mun, ok := r.Municipality(m.Municipality)
			if !ok {
				return fmt.Errorf("cluster %s: member %d is not a known municipality", c.ID, m.Municipality)
			}
			if mun.RegionCode != c.RegionCode {
				return fmt.Errorf("cluster %s: member %d lies in region %d, the cluster in %d", c.ID, m.Municipality, mun.RegionCode, c.RegionCode)
			}
			r.clustersOf[m.Municipality] = append(r.clustersOf[m.Municipality], len(r.clusters))
		}
		r.byCluster[c.ID] = len(r.clusters)
		r.clusters = append(r.clusters, c)
	}
	return nil
}

// Regions lists the five regions by code.
func (r *Registry) Regions() []Region { return slices.Clone(r.regions) }

// Region finds a region by its DAGI code (1081-1085).
func (r *Registry) Region(code int) (Region, bool) {
	for _, reg := range r.regions {
		if reg.Code == code {
			return reg, true
		}
	}
	return Region{}, false
}

// Municipalities lists all 98 municipalities in code order.
func (r *Registry) Municipalities() []Municipality { return slices.Clone(r.municipalities) }

// Municipality finds a municipality by code.
func (r *Registry) Municipality(code domain.MunicipalityCode) (Municipality, bool) {
	i, ok := r.byMunicipality[code]
	if !ok {
		return Municipality{}, false
	}
	return r.municipalities[i], true
}

// MunicipalitiesInRegion lists a region's municipalities in code order.
func (r *Registry) MunicipalitiesInRegion(region int) []Municipality {
	var out []Municipality
	for _, m := range r.municipalities {
		if m.RegionCode == region {
			out = append(out, m)
		}
	}
	return out
}

// Clusters lists all clusters in snapshot order (grouped by region).
func (r *Registry) Clusters() []Cluster { return slices.Clone(r.clusters) }

// Cluster finds a cluster by id, e.g. "sjaelland-naestved-slagelse".
func (r *Registry) Cluster(id string) (Cluster, bool) {
	i, ok := r.byCluster[id]
	if !ok {
		return Cluster{}, false
	}
	return r.clusters[i], true
}

// ClustersInRegion lists the clusters of one region.
func (r *Registry) ClustersInRegion(region int) []Cluster {
	var out []Cluster
	for _, c := range r.clusters {
		if c.RegionCode == region {
			out = append(out, c)
		}
	}
	return out
}

// ClustersOf lists the clusters a municipality belongs to: none, one, or
// (København) two.
func (r *Registry) ClustersOf(code domain.MunicipalityCode) []Cluster {
	idx := r.clustersOf[code]
	out := make([]Cluster, 0, len(idx))
	for _, i := range idx {
		out = append(out, r.clusters[i])
	}
	return out
}
