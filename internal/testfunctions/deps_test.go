package testfunctions_test

// The test functions under testdata import aws-lambda-go, but go mod tidy
// does not look into testdata: this import keeps the module in go.mod.
import _ "github.com/aws/aws-lambda-go/lambda"
