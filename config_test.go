package liveconfig_test

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
)

func TestNewClientRefusesBadConfig(t *testing.T) {
	t.Parallel()
	good := liveconfig.Config{Region: liveconfig.RegionSingapore, SDKAppID: 1400000001, Identifier: "administrator", SecretKey: "key"}
	tests := map[string]struct {
		edit  func(*liveconfig.Config)
		field string
	}{
		"zero SDKAppID":             {func(c *liveconfig.Config) { c.SDKAppID = 0 }, "SDKAppID"},
		"empty Identifier":          {func(c *liveconfig.Config) { c.Identifier = " " }, "Identifier"},
		"HTTPClient.Timeout 300 ms": {func(c *liveconfig.Config) { c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} }, "HTTPClient"},
		"Identifier 33 bytes":       {func(c *liveconfig.Config) { c.Identifier = strings.Repeat("a", 33) }, "Identifier"},
		"Identifier newline":        {func(c *liveconfig.Config) { c.Identifier = "admin\nX-Injected: 1" }, "Identifier"},
		"Identifier space":          {func(c *liveconfig.Config) { c.Identifier = "ad min" }, "Identifier"},
		"Identifier not UTF-8":      {func(c *liveconfig.Config) { c.Identifier = "adm\xffin" }, "Identifier"},
		"empty SecretKey":           {func(c *liveconfig.Config) { c.SecretKey = "" }, "SecretKey"},
		"unknown Region":            {func(c *liveconfig.Config) { c.Region = "mars" }, "Region"},
		"no Region":                 {func(c *liveconfig.Config) { c.Region = "" }, "Region"},
		"ftp Endpoint":              {func(c *liveconfig.Config) { c.Endpoint = "ftp://127.0.0.1" }, "Endpoint"},
		"Endpoint, no host":         {func(c *liveconfig.Config) { c.Endpoint = "http://" }, "Endpoint"},
		"Endpoint not a URL":        {func(c *liveconfig.Config) { c.Endpoint = "127.0.0.1:8080" }, "Endpoint"},
		"Endpoint query":            {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1/?a=b" }, "Endpoint"},
		"negative Timeout":          {func(c *liveconfig.Config) { c.Timeout = -time.Second }, "Timeout"},
		"Timeout 3 s":               {func(c *liveconfig.Config) { c.Timeout = liveconfig.ServerTimeout }, "Timeout"},
		"Timeout 200 ms":            {func(c *liveconfig.Config) { c.Timeout = 200 * time.Millisecond }, "Timeout"},
		"Endpoint ending in ?":      {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/?" }, "Endpoint"},
		"Endpoint fragment":         {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/#" }, "Endpoint"},
		"Endpoint //":               {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080//proxy" }, "Endpoint"},
		"Endpoint a//b":             {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/a//b/" }, "Endpoint"},
		"Endpoint ending in //":     {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080//" }, "Endpoint"},
		"Endpoint /../":             {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/a/../b" }, "Endpoint"},
		"Endpoint /%2e%2e/":         {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/%2e%2e/" }, "Endpoint"},
		"Endpoint /./":              {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/./proxy" }, "Endpoint"},
		"RateLimit NaN":             {func(c *liveconfig.Config) { c.RateLimit = math.NaN() }, "RateLimit"},
		"RateLimit +Inf":            {func(c *liveconfig.Config) { c.RateLimit = math.Inf(1) }, "RateLimit"},
		"RateLimit -Inf":            {func(c *liveconfig.Config) { c.RateLimit = math.Inf(-1) }, "RateLimit"},
		"UserSigTTL 180 days":       {func(c *liveconfig.Config) { c.UserSigTTL = 180 * 24 * time.Hour }, "UserSigTTL"},
		"UserSigTTL 1 s":            {func(c *liveconfig.Config) { c.UserSigTTL = time.Second }, "UserSigTTL"},
		"negative attempts":         {func(c *liveconfig.Config) { c.Retry.MaxAttempts = -1 }, "Retry"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.edit(&cfg)
			assert.Equal(t, cfg.Validate(), func() error { _, err := liveconfig.NewClient(cfg); return err }(), "Validate says what NewClient does")
			c, err := liveconfig.NewClient(cfg)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, liveconfig.ErrInvalidConfig)
			var cfgErr *liveconfig.ConfigError
			require.True(t, errors.As(err, &cfgErr))
			assert.Equal(t, tt.field, cfgErr.Field)
		})
	}
	c, err := liveconfig.NewClient(good)
	require.NoError(t, err)
	assert.Contains(t, c.String(), "adminapisgp.im.qcloud.com")

	for _, ok := range []func(*liveconfig.Config){
		func(c *liveconfig.Config) { c.Timeout = liveconfig.ServerTimeout + time.Millisecond },
		func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/" },
		func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1:8080/proxy/tencent/" },
		func(c *liveconfig.Config) { c.RateLimit = -1 },
	} {
		cfg := good
		ok(&cfg)
		assert.NoError(t, cfg.Validate(), "%v", cfg)
		_, err := liveconfig.NewClient(cfg)
		assert.NoError(t, err, "%v", cfg)
	}

	noRegion := good
	noRegion.Region, noRegion.Endpoint = "", "https://"+liveconfig.RegionSingapore.BackupHost()
	_, err = liveconfig.NewClient(noRegion)
	assert.NoError(t, err, "Endpoint replaces Region")
}
