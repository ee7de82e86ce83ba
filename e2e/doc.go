// Package e2e holds openear's end-to-end reliability and security tests:
// the real openear binary (built once with go build) runs as a child
// process against the in-process slackfake and discordfake, with a config
// that points slack.api_url and discord.api_url at them. The tests kill it
// with SIGKILL, restart it on the same bbolt file, read its logs and open
// the file afterwards. The replica tests (cluster_test.go: failover,
// split brain) run several children on one PostgreSQL schema behind a
// load balancer and need OPENEAR_TEST_POSTGRES (skipped without it, failed
// without it under CI=true). See docs/RELIABILITY.md for what each test
// proves.
//
// Long soaks run only with OPENEAR_SOAK=1.
package e2e
