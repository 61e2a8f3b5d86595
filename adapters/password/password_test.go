package password

import "testing"

func TestVerify(t *testing.T) {
	h := Hasher{Cost: 4}
	bc, err := h.Hash("s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		hash, pw     string
		ok, isLegacy bool
	}{
		{"bcrypt", bc, "s3cret-pass", true, false},
		{"bcryptWrong", bc, "nope", false, false},
		{"md5Legacy", "e10adc3949ba59abbe56e057f20f883e", "123456", true, true},
		{"md5Upper", "E10ADC3949BA59ABBE56E057F20F883E", "123456", true, true},
		{"md5Wrong", "e10adc3949ba59abbe56e057f20f883e", "1234567", false, true},
		{"sha256Legacy", "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92", "123456", true, true},
		{"garbage", "not-a-hash", "123456", false, false},
		{"empty", "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, legacy := h.Verify(tt.hash, tt.pw)
			if ok != tt.ok || legacy != tt.isLegacy {
				t.Fatalf("Verify = (%v,%v), want (%v,%v)", ok, legacy, tt.ok, tt.isLegacy)
			}
		})
	}
}
