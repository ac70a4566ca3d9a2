package liveconfig_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
)

func TestRegionHosts(t *testing.T) {
	t.Parallel()
	want := map[liveconfig.Region][2]string{
		liveconfig.RegionChina:     {"console.tim.qq.com", "adminapi.my-imcloud.com"},
		liveconfig.RegionSingapore: {"adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"},
		liveconfig.RegionUSA:       {"adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com"},
		liveconfig.RegionKorea:     {"adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com"},
		liveconfig.RegionGermany:   {"adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com"},
		liveconfig.RegionIndia:     {"adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com"},
		liveconfig.RegionIndonesia: {"adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com"},
		liveconfig.RegionJapan:     {"adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com"},
	}
	assert.Len(t, liveconfig.Regions(), len(want))
	for _, r := range liveconfig.Regions() {
		assert.Equal(t, want[r][0], r.Host(), r)
		assert.Equal(t, want[r][1], r.BackupHost(), r)
		assert.True(t, r.Valid())
	}
	assert.Empty(t, liveconfig.Region("mars").Host())
	assert.False(t, liveconfig.Region("mars").Valid())
}

func TestParseRegion(t *testing.T) {
	t.Parallel()
	accepted := map[string]liveconfig.Region{
		"china": liveconfig.RegionChina, "singapore": liveconfig.RegionSingapore, "sgp": liveconfig.RegionSingapore,
		"usa": liveconfig.RegionUSA, "korea": liveconfig.RegionKorea, "kr": liveconfig.RegionKorea,
		"germany": liveconfig.RegionGermany, "ger": liveconfig.RegionGermany, "india": liveconfig.RegionIndia,
		"ind": liveconfig.RegionIndia, "indonesia": liveconfig.RegionIndonesia, "idn": liveconfig.RegionIndonesia,
		"japan": liveconfig.RegionJapan, "jpn": liveconfig.RegionJapan, " Singapore ": liveconfig.RegionSingapore,
	}
	for in, want := range accepted {
		got, err := liveconfig.ParseRegion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "mars", "sg", "adminapisgp.im.qcloud.com"} {
		_, err := liveconfig.ParseRegion(in)
		assert.ErrorIs(t, err, liveconfig.ErrInvalidParameter, in)
	}
}
