// Package server is the Lambda Invoke API for callers: the HTTP routes that
// curl, the AWS CLI, boto3 and the AWS SDKs speak (Invoke, the deprecated
// InvokeAsync, and a read-only control plane: ListFunctions, GetFunction,
// GetFunctionConfiguration), plus a health check.
//
// A Server turns each request into an invoke.Request, hands it to an
// invoke.Invoker and writes the result back in AWS's wire format: a function
// failure is a 200 with X-Amz-Function-Error; a harness error is an AWS
// service error (x-amzn-ErrorType, a JSON body) chosen by its invoke.Kind.
//
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
package server
