package invoke

import (
	"strings"
)

// Name limits of the Invoke API's FunctionName.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
const (
	maxNameLen     = 64
	maxFullNameLen = 170
	maxQualifier   = 128
)

// GenericName is the name aws-lambda-rie hard-codes; it resolves to the one
// function when a single function is served.
const GenericName = "function"

// ValidName reports whether s is a valid bare function name for
// configuration: 1 to 64 of [a-zA-Z0-9-_]. Names are used in ARNs, queue
// names, labels and log lines, so nothing else is accepted.
func ValidName(s string) bool {
	return len(s) >= 1 && len(s) <= maxNameLen && allNameChars(s, false)
}

func allNameChars(s string, dot bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.' && dot:
		default:
			return false
		}
	}
	return true
}

func validQualifier(q string) bool {
	if q == LatestVersion {
		return true
	}
	return len(q) >= 1 && len(q) <= maxQualifier && allNameChars(q, false)
}

// ParseFunctionName splits the FunctionName of an Invoke request into the
// bare name and the qualifier. Accepted forms, as AWS accepts them:
//
//	my-fn
//	my-fn:qualifier
//	123456789012:function:my-fn[:qualifier]
//	arn:aws:lambda:us-east-1:123456789012:function:my-fn[:qualifier]
//
// The region and account of an ARN are not checked: a local harness is one
// account, and users paste real ARNs. A malformed value is a Validation
// error.
func ParseFunctionName(s string) (name, qualifier string, err error) {
	if s == "" || len(s) > maxFullNameLen {
		return "", "", invalidName(s)
	}
	parts := strings.Split(s, ":")
	switch {
	case len(parts) <= 2:
		// my-fn, my-fn:q
	case parts[0] == "arn":
		// arn:<partition>:lambda:<region>:<account>:function:<name>[:q]
		if len(parts) < 7 || len(parts) > 8 || !strings.HasPrefix(parts[1], "aws") ||
			parts[2] != "lambda" || !ValidAccount(parts[4]) || parts[5] != "function" {
			return "", "", invalidName(s)
		}
		parts = parts[6:]
	case len(parts) <= 4 && parts[1] == "function" && ValidAccount(parts[0]):
		// 123456789012:function:my-fn[:q]
		parts = parts[2:]
	default:
		return "", "", invalidName(s)
	}
	name = parts[0]
	if len(name) == 0 || len(name) > maxNameLen || !allNameChars(name, true) {
		return "", "", invalidName(s)
	}
	if len(parts) == 2 {
		qualifier = parts[1]
		if !validQualifier(qualifier) {
			return "", "", invalidName(s)
		}
	}
	return name, qualifier, nil
}

// ValidAccount reports whether s is an AWS account id: 12 digits.
func ValidAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func invalidName(s string) error {
	return Errorf(Validation,
		"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: "+
			`(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`,
		s)
}

// ValidateQualifier checks a Qualifier query parameter and that it agrees
// with the qualifier derived from the function name. It returns the
// qualifier to use.
func ValidateQualifier(fromName, fromQuery string) (string, error) {
	if fromQuery != "" && !validQualifier(fromQuery) {
		return "", Errorf(Validation,
			"1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: "+
				"Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)", fromQuery)
	}
	switch {
	case fromName == "":
		return fromQuery, nil
	case fromQuery == "" || fromQuery == fromName:
		return fromName, nil
	default:
		return "", Errorf(InvalidParameter,
			"The derived qualifier from the function name does not match the specified qualifier.")
	}
}

// ARN returns the function's ARN in region and account, with the qualifier
// if there is one.
func ARN(region, account, name, qualifier string) string {
	n := len("arn:aws:lambda:") + len(region) + 1 + len(account) + len(":function:") + len(name)
	if qualifier != "" {
		n += 1 + len(qualifier)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("arn:aws:lambda:")
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteString(":function:")
	b.WriteString(name)
	if qualifier != "" {
		b.WriteByte(':')
		b.WriteString(qualifier)
	}
	return b.String()
}
