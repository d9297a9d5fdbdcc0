package meeting

import (
	"reflect"
	"testing"
	"time"
)

// An edit works on a clone of the current fields and is saved only if it
// differs from them: a clone that shared a pointer or a slice with the
// current fields would let an edit change both, and nothing would be
// saved. Every field is filled, so a pointer or slice field added later
// and forgotten in clone fails here.
func TestCloneSharesNothing(t *testing.T) {
	var f Fields
	fill(t, reflect.ValueOf(&f).Elem())
	shareNothing(t, "Fields", reflect.ValueOf(f), reflect.ValueOf(f.clone()))
	var it ItemFields
	fill(t, reflect.ValueOf(&it).Elem())
	shareNothing(t, "ItemFields", reflect.ValueOf(it), reflect.ValueOf(it.clone()))
	if !reflect.DeepEqual(f, f.clone()) || !reflect.DeepEqual(it, it.clone()) {
		t.Error("a clone differs from what it copies")
	}
}

var timeType = reflect.TypeOf(time.Time{})

// fill gives every pointer a value and every slice an element, all the
// way down.
func fill(t *testing.T, v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Date(2027, 3, 9, 9, 30, 0, 0, time.UTC)))
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem())
	case v.Kind() == reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(t, v.Index(0))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i))
		}
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		fill(t, e)
		m.SetMapIndex(reflect.ValueOf("K").Convert(v.Type().Key()), e)
		v.Set(m)
	case v.Kind() == reflect.Map, v.Kind() == reflect.Interface:
		t.Fatalf("%s: teach fill and clone about this kind", v.Type())
	}
}

// shareNothing fails when a and b hold the same pointer or slice array
// anywhere (a time's location aside, which is never written through).
func shareNothing(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch {
	case a.Type() == timeType:
	case a.Kind() == reflect.Pointer:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the pointer", path)
			return
		}
		if !a.IsNil() && !b.IsNil() {
			shareNothing(t, path, a.Elem(), b.Elem())
		}
	case a.Kind() == reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the slice", path)
			return
		}
		for i := range min(a.Len(), b.Len()) {
			shareNothing(t, path+"[]", a.Index(i), b.Index(i))
		}
	case a.Kind() == reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the map", path)
			return
		}
		for _, k := range a.MapKeys() {
			shareNothing(t, path+"[]", a.MapIndex(k), b.MapIndex(k))
		}
	case a.Kind() == reflect.Struct:
		for i := range a.NumField() {
			shareNothing(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
		}
	}
}
