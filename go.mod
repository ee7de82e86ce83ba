module github.com/openear/openear

go 1.26

require (
	github.com/gorilla/websocket v1.5.3
	github.com/slack-go/slack v0.35.0
	go.uber.org/goleak v1.3.0
)
