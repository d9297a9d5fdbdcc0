package config

import (
	"os"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// configs/agora.yaml documents every setting, with its default, and
// nothing else.
func TestShippedFileListsEverySetting(t *testing.T) {
	path := "../../configs/agora.yaml"
	k := koanf.New(".")
	if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(path)
	for _, s := range Settings {
		if !k.Exists(s.Key) {
			t.Errorf("%s is missing from configs/agora.yaml", s.Key)
		}
		if !strings.Contains(string(text), s.Env) {
			t.Errorf("configs/agora.yaml does not name %s", s.Env)
		}
	}
	if _, err := Load(Sources{File: path, LookupEnv: func(string) (string, bool) { return "", false }}); err != nil {
		t.Errorf("the shipped file does not load: %v", err)
	}
}
