package liveconfig

import (
	"fmt"
	"strings"
)

// Region is the data centre an app lives in. Every app lives in exactly one region, chosen when the app is
// created; calling another region's domain fails with 70016 or 70020 (see [ErrAuth]).
type Region string

// The regions of the Tencent Cloud Chat REST API. The live_config documentation names China, Singapore and USA;
// the others are the Chat REST domains of the same service.
const (
	RegionChina     Region = "china"
	RegionSingapore Region = "singapore"
	RegionUSA       Region = "usa"
	RegionKorea     Region = "korea"
	RegionGermany   Region = "germany"
	RegionIndia     Region = "india"
	RegionIndonesia Region = "indonesia"
	RegionJapan     Region = "japan"
)

type regionInfo struct {
	region  Region
	code    string // the short code in the domain names, accepted by ParseRegion
	primary string
	backup  string
}

var regionTable = [...]regionInfo{
	{RegionChina, "", "console.tim.qq.com", "adminapi.my-imcloud.com"},
	{RegionSingapore, "sgp", "adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"},
	{RegionUSA, "usa", "adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com"},
	{RegionKorea, "kr", "adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com"},
	{RegionGermany, "ger", "adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com"},
	{RegionIndia, "ind", "adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com"},
	{RegionIndonesia, "idn", "adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com"},
	{RegionJapan, "jpn", "adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com"},
}

func (r Region) info() (regionInfo, bool) {
	for _, ri := range regionTable {
		if ri.region == r {
			return ri, true
		}
	}
	return regionInfo{}, false
}

// Host returns the region's primary API domain, for example "adminapisgp.im.qcloud.com" for
// [RegionSingapore], or "" for a Region that is not one of the constants.
func (r Region) Host() string {
	ri, _ := r.info()
	return ri.primary
}

// BackupHost returns the region's backup domain under my-imcloud.com, which Tencent offers for DNS trouble
// with the primary one, or "" for a Region that is not one of the constants. Use it through
// [Config.Endpoint], for example "https://" + RegionSingapore.BackupHost().
func (r Region) BackupHost() string {
	ri, _ := r.info()
	return ri.backup
}

// Valid reports whether r is one of the Region constants.
func (r Region) Valid() bool {
	_, ok := r.info()
	return ok
}

// String returns the region's name as ParseRegion accepts it.
func (r Region) String() string { return string(r) }

// Regions returns every known Region, China first. The slice is new on each call.
func Regions() []Region {
	out := make([]Region, len(regionTable))
	for i, ri := range regionTable {
		out[i] = ri.region
	}
	return out
}

// ParseRegion returns the Region named by s: a lower-case name (china, singapore, usa, korea, germany, india,
// indonesia, japan) or a domain code (sgp, kr, ger, ind, idn, jpn). Case and surrounding space are ignored.
// Any other string gives an error for which errors.Is(err, ErrInvalidParameter) holds.
func ParseRegion(s string) (Region, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, ri := range regionTable {
		if name == string(ri.region) || (ri.code != "" && name == ri.code) {
			return ri.region, nil
		}
	}
	return "", &InputError{Field: "Region", Reason: fmt.Sprintf("unknown region %q (want one of %s)", s, regionNames())}
}

func regionNames() string {
	names := make([]string, len(regionTable))
	for i, ri := range regionTable {
		names[i] = string(ri.region)
	}
	return strings.Join(names, ", ")
}
