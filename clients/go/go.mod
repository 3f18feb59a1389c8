module github.com/hookbridge/hookbridge/clients/go

go 1.19

// The versions Debian 12 ships (golang-google-grpc-dev 1.33.3,
// golang-google-protobuf-dev 1.28.1, golang-github-golang-protobuf-1-5-dev
// 1.5.2, golang-golang-x-net-dev 0.7.0, golang-golang-x-text-dev 0.7.0), so
// that the offline build (vendor-debian.sh) and an online build compile the
// same code. Where Debian is older than what the other requirements need,
// the lowest version they allow: genproto (Debian: 2020-04-13; grpc 1.33.3
// requires 2020-05-26) and x/sys (Debian: 0.3.0; x/net 0.7.0 requires 0.5.0).
require (
	google.golang.org/genproto v0.0.0-20200526211855-cb27e3aa2013
	google.golang.org/grpc v1.33.3
	google.golang.org/protobuf v1.28.1
)

require (
	github.com/golang/protobuf v1.5.2 // indirect
	golang.org/x/net v0.7.0 // indirect
	golang.org/x/sys v0.5.0 // indirect
	golang.org/x/text v0.7.0 // indirect
)
