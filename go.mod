module github.com/go-tuilive/liveconfig

go 1.24.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/stretchr/testify v1.12.1
	github.com/tencentyun/tls-sig-api-v2-golang v1.3.0
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/time v0.14.0
)

require golang.org/x/net v0.43.0 // indirect
