package corpus

import (
	"fmt"
	"testing"
)

func TestSentenceEnds(t *testing.T) {
	got := SentenceEnds(`One. Two (e.g. "three")! Four? 1.5 mg… End. Alves E et al. found J. Smith agrees. no. not here`)
	want := []int{4, 24, 30, 40, 45}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SentenceEnds = %v, want %v", got, want)
	}
}
