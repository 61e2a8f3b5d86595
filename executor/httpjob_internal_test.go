package executor

import "testing"

func TestURLAllowed(t *testing.T) {
	allow := []string{"https://api.example.com", "http://10.0.0.5:8080/hooks/"}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://api.example.com", true},
		{"https://api.example.com/v1/run?x=1", true},
		{"https://api.example.com?x=1", true},
		{"https://api.example.com#frag", true},
		{"http://10.0.0.5:8080/hooks/deploy", true},
		{"https://api.example.com.evil.net/", false},
		{"https://api.example.com@evil.net/", false},
		{"https://api.example.com:444/", false},
		{"http://api.example.com/", false},
		{"http://10.0.0.5:8080/hook", false},
		{"http://10.0.0.5:8080/admin", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := urlAllowed(tt.url, allow); got != tt.want {
			t.Errorf("urlAllowed(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
	if urlAllowed("https://api.example.com", nil) {
		t.Error("empty allow list allowed a URL")
	}
}
