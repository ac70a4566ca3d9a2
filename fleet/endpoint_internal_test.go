package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
)

func TestEveryTencentHostIsAllowedWithoutAFlag(t *testing.T) {
	t.Parallel()
	require.Len(t, tencentHosts, 2*len(liveconfig.Regions()))
	for _, r := range liveconfig.Regions() {
		for _, host := range []string{r.Host(), r.BackupHost()} {
			for _, endpoint := range []string{"https://" + host, "https://" + host + "/", "https://" + host + ":443"} {
				assert.Empty(t, endpointAllowed(endpoint, nil), endpoint)
			}
		}
	}
	assert.Empty(t, endpointAllowed("https://ADMINAPISGP.im.qcloud.com", nil), "host names are case-insensitive")
}

func TestEndpointsOutsideTencentNeedTheFlag(t *testing.T) {
	t.Parallel()
	refused := []string{
		"http://console.tim.qq.com",                 // plain http, even to Tencent
		"https://console.tim.qq.com:8443",           // another port
		"https://console.tim.qq.com/v4",             // a path: the client adds its own
		"https://console.tim.qq.com.evil.example",   // a suffix
		"https://evil.example/console.tim.qq.com",   // the host in the path
		"https://console.tim.qq.com.",               // the trailing-dot name is another string
		"https://evil.example",                      //
		"http://127.0.0.1:8080",                     // loopback too
		"https://127.0.0.1:8080",                    //
		"https://console.tim.qq.com/../evil",        // a dot segment
		"https://xn--console-tim-qq-com.example",    //
		"https://adminapisgp.im.qcloud.com@evil.ex", // userinfo (Decode refuses it too)
	}
	for _, endpoint := range refused {
		assert.NotEmpty(t, endpointAllowed(endpoint, nil), endpoint)
	}
}

func TestAllowancesMatchSchemeHostPortAndPathPrefix(t *testing.T) {
	t.Parallel()
	parse := func(entries ...string) []allowance {
		var out []allowance
		for _, e := range entries {
			a, err := parseAllowance(e)
			require.NoError(t, err, e)
			out = append(out, a)
		}
		return out
	}
	allowed := parse("http://127.0.0.1:8080", "https://proxy.example.com/tencent/", "https://Other.Example")
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:8080":                       true,
		"http://127.0.0.1:8080/":                      true,
		"http://127.0.0.1:8080/any/path":              true,
		"https://127.0.0.1:8080":                      false, // scheme
		"http://127.0.0.1:8081":                       false, // port
		"http://127.0.0.1":                            false, // port 80
		"http://localhost:8080":                       false, // another name for the same address is another host
		"https://proxy.example.com/tencent":           true,
		"https://proxy.example.com:443/tencent/sg":    true, // the default port written out
		"https://proxy.example.com/tencentx":          false,
		"https://proxy.example.com/":                  false,
		"https://proxy.example.com/tencent/../admin":  false,
		"https://proxy.example.com/tencent/%2e%2e/ad": false,
		"https://other.example":                       true,
		"https://other.example:444":                   false,
	} {
		assert.Equal(t, want, endpointAllowed(endpoint, allowed) == "", endpoint)
	}

	for _, bad := range []string{"", "127.0.0.1:8080", "ftp://h", "https://", "https://u:p@h", "https://h?x=1", "https://h#f", "https://h/a/../b"} {
		_, err := parseAllowance(bad)
		assert.Error(t, err, bad)
	}
}
