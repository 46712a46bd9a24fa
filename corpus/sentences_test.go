package corpus

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestSentenceEnds(t *testing.T) {
	got := SentenceEnds(`One. Two (e.g. "three")! Four? 1.5 mg… End. Alves E et al. found J. Smith agrees. no. not here`)
	want := []int{4, 24, 30, 40, 45}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SentenceEnds = %v, want %v", got, want)
	}
	// A glued marker ends its sentence however long its list.
	var labels []string
	for n := 10; n < 40; n++ {
		labels = append(labels, strconv.Itoa(n))
	}
	long := "Kefir helps.[" + strings.Join(labels, ", ") + "] Yogurt too."
	if got, want := SentenceEnds(long), []int{strings.Index(long, "]") + 1, len(long)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a %d-byte marker: SentenceEnds = %v, want %v", strings.Index(long, "]")-strings.Index(long, "["), got, want)
	}
}
