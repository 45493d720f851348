module github.com/lambda-harness/lambda-harness

go 1.26
