package liveconfig_test

import (
	"errors"
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
		"zero SDKAppID":       {func(c *liveconfig.Config) { c.SDKAppID = 0 }, "SDKAppID"},
		"empty Identifier":    {func(c *liveconfig.Config) { c.Identifier = " " }, "Identifier"},
		"empty SecretKey":     {func(c *liveconfig.Config) { c.SecretKey = "" }, "SecretKey"},
		"unknown Region":      {func(c *liveconfig.Config) { c.Region = "mars" }, "Region"},
		"no Region":           {func(c *liveconfig.Config) { c.Region = "" }, "Region"},
		"ftp Endpoint":        {func(c *liveconfig.Config) { c.Endpoint = "ftp://127.0.0.1" }, "Endpoint"},
		"Endpoint, no host":   {func(c *liveconfig.Config) { c.Endpoint = "http://" }, "Endpoint"},
		"Endpoint not a URL":  {func(c *liveconfig.Config) { c.Endpoint = "127.0.0.1:8080" }, "Endpoint"},
		"Endpoint query":      {func(c *liveconfig.Config) { c.Endpoint = "http://127.0.0.1/?a=b" }, "Endpoint"},
		"negative Timeout":    {func(c *liveconfig.Config) { c.Timeout = -time.Second }, "Timeout"},
		"UserSigTTL 180 days": {func(c *liveconfig.Config) { c.UserSigTTL = 180 * 24 * time.Hour }, "UserSigTTL"},
		"UserSigTTL 1 s":      {func(c *liveconfig.Config) { c.UserSigTTL = time.Second }, "UserSigTTL"},
		"negative attempts":   {func(c *liveconfig.Config) { c.Retry.MaxAttempts = -1 }, "Retry"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.edit(&cfg)
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

	noRegion := good
	noRegion.Region, noRegion.Endpoint = "", "https://"+liveconfig.RegionSingapore.BackupHost()
	_, err = liveconfig.NewClient(noRegion)
	assert.NoError(t, err, "Endpoint replaces Region")
}
