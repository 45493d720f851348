// Package archtest holds the test that keeps the project's import
// direction: imports point toward invoke; server, amqp and runner never
// import each other; invoke imports only the standard library.
package archtest
