package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/statistics"
)

// statsFilter reads from, to, kind and lang of a statistics request.
func statsFilter(c *gin.Context, lang string) (statistics.Filter, error) {
	return statistics.ParseFilter(c.Query("from"), c.Query("to"), c.Query("kind"), lang, time.Now())
}

// statsLang is the language of an API read: ?lang=fr or English.
func statsLang(c *gin.Context) string {
	if c.Query("lang") == "fr" {
		return "fr"
	}
	return "en"
}

// participation: GET /api/v1/statistics/participation?from=&to=[&kind=][&lang=]
func (s *Server) participation(c *gin.Context) {
	if r, ok := s.participationReport(c, statsLang(c)); ok {
		c.JSON(http.StatusOK, r)
	}
}

// participationReport reads the query's period and kind and returns their
// report in lang; on bad input or failure it has written the error.
func (s *Server) participationReport(c *gin.Context, lang string) (statistics.Report, bool) {
	f, err := statsFilter(c, lang)
	if err == nil {
		var r statistics.Report
		if r, err = s.deps.Statistics.Participation(c.Request.Context(), actorOf(c), f); err == nil {
			return r, true
		}
	}
	s.writeError(c, err)
	return statistics.Report{}, false
}

// participationExport: GET …/participation.csv and .xlsx — the tables of
// the report, in ?lang=.
func (s *Server) participationExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := statsLang(c)
		r, ok := s.participationReport(c, lang)
		if !ok {
			return
		}
		var err error
		name := fmt.Sprintf("participation-%s-%s", r.From, r.To)
		if r.Kind != "" {
			name += "-" + r.Kind
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+"-"+lang+"."+format+`"`)
		if format == "csv" {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			err = statistics.WriteCSV(c.Writer, r, lang)
		} else {
			c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			err = statistics.WriteXLSX(c.Writer, r, lang)
		}
		if err != nil {
			s.log.ErrorContext(c.Request.Context(), "export failed", "error", err, "request_id", requestID(c))
		}
	}
}

// searchPeople: GET /api/v1/people?q=
func (s *Server) searchPeople(c *gin.Context) {
	res, err := s.deps.Statistics.Search(c.Request.Context(), actorOf(c), c.Query("q"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// personHistory: GET /api/v1/people/{id} — id is any of the person's
// registrations (a search result's id).
func (s *Server) personHistory(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	h, err := s.deps.Statistics.History(c.Request.Context(), actorOf(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// statsView is the secretariat's statistics page.
type statsView struct {
	From, To, Kind string
	Kinds          []string
	Errors         map[string]string
	R              *statistics.Report
	Rate           string
	Charts         map[string]template.HTML
	// ExportCSV and ExportXLSX are the API's exports of the same report.
	ExportCSV, ExportXLSX string
	Genders               []genderLine
	Note                  string
}

type genderLine struct {
	Label string
	Value *int
}

// statisticsPage: GET /secretariat/statistics?from=&to=&kind=
func (h *secretariat) statisticsPage(c *gin.Context) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	v := statsView{From: c.Query("from"), To: c.Query("to"), Kind: c.Query("kind"), Errors: map[string]string{}, Kinds: meeting.Kinds}
	f, err := statsFilter(c, lang)
	status := http.StatusOK
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			h.failed(c, err)
			return
		}
		for field, m := range e.Fields {
			v.Errors[field] = text(h.cat, lang, m)
		}
		status = http.StatusUnprocessableEntity
	} else {
		r, err := h.deps.Statistics.Participation(ctx, a, f)
		if err != nil {
			h.failed(c, err)
			return
		}
		v.R = &r
		v.From, v.To = r.From, r.To
		if r.AttendanceRate != nil {
			v.Rate = strconv.FormatFloat(*r.AttendanceRate*100, 'f', 1, 64) + "\u00a0%"
			if lang == "fr" {
				v.Rate = strings.Replace(v.Rate, ".", ",", 1)
			}
		}
		q := url.Values{"from": {r.From}, "to": {r.To}, "lang": {lang}}
		if r.Kind != "" {
			q.Set("kind", r.Kind)
		}
		v.ExportCSV = "/api/v1/statistics/participation.csv?" + q.Encode()
		v.ExportXLSX = "/api/v1/statistics/participation.xlsx?" + q.Encode()
		for i, n := range r.Gender.Figures() {
			v.Genders = append(v.Genders, genderLine{Label: statistics.GenderLabel(statistics.Genders[i], lang), Value: n})
		}
		v.Note = statistics.WithheldNote(r.Gender.Threshold, lang)
		v.Charts = statsCharts(h.Server, r, lang)
	}
	h.renderPage(c, status, "secretariat_statistics", lang, h.cat.T(lang, "sec.stats.title", nil), v)
}

// bar is one bar of a chart: Value, and Inner drawn over it (attended out
// of confirmed); Withheld draws no bar but says so.
type bar struct {
	Label    string
	Value    int
	Inner    int
	Withheld bool
}

// statsCharts draws the page's charts.
func statsCharts(s *Server, r statistics.Report, lang string) map[string]template.HTML {
	T := func(id string) string { return s.cat.T(lang, id, nil) }
	charts := map[string]template.HTML{}
	charts["totals"] = barChart("chart-totals", T("sec.stats.chart.totals"), lang, []bar{
		{Label: T("sec.stats.registered"), Value: r.Totals.Registered},
		{Label: T("sec.stats.confirmed"), Value: r.Totals.Confirmed},
		{Label: T("sec.stats.attended"), Value: r.Totals.Attended},
		{Label: T("sec.stats.funded"), Value: r.Totals.Funded},
	}, "")
	var states []bar
	for _, st := range r.States {
		if st.Confirmed > 0 {
			states = append(states, bar{Label: st.Name, Value: st.Confirmed, Inner: st.Attended})
		}
	}
	charts["states"] = barChart("chart-states", T("sec.stats.chart.states"), lang, states, T("sec.stats.legend"))
	var orgs []bar
	for _, o := range r.Organisations {
		if o.Confirmed > 0 {
			orgs = append(orgs, bar{Label: o.Name, Value: o.Confirmed, Inner: o.Attended})
		}
	}
	charts["organisations"] = barChart("chart-organisations", T("sec.stats.chart.organisations"), lang, orgs, T("sec.stats.legend"))
	var roles []bar
	for _, x := range r.Roles {
		roles = append(roles, bar{Label: T("sec.stats.role." + x.Role), Value: x.Confirmed, Inner: x.Attended})
	}
	charts["roles"] = barChart("chart-roles", T("sec.stats.chart.roles"), lang, roles, T("sec.stats.legend"))
	charts["people"] = barChart("chart-people", T("sec.stats.chart.people"), lang, []bar{
		{Label: T("sec.stats.new"), Value: r.People.New},
		{Label: T("sec.stats.returning"), Value: r.People.Returning},
	}, "")
	var genders []bar
	for i, n := range r.Gender.Figures() {
		b := bar{Label: statistics.GenderLabel(statistics.Genders[i], lang), Withheld: n == nil}
		if n != nil {
			b.Value = *n
		}
		genders = append(genders, b)
	}
	charts["gender"] = barChart("chart-gender", T("sec.stats.chart.gender"), lang, genders, T("sec.stats.withheld"))
	return charts
}

// barChart draws a horizontal bar chart in SVG, server-side: labels on
// the left, bars scaled to the largest value, the figure at the end of
// each bar. It is an image named by its title and described by the data
// table that follows it on the page (id+"-table"). note is shown under
// the bars (a legend, or the word for a withheld figure).
func barChart(id, title, lang string, bars []bar, note string) template.HTML {
	const labelW, barW, rowH, top = 220, 380, 26, 8
	maxV := 1
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	height := top + rowH*len(bars) + 8
	if note != "" {
		height += 20
	}
	esc := template.HTMLEscapeString
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" id="%s" role="img" aria-labelledby="%s-title" aria-describedby="%s-table" viewBox="0 0 %d %d" width="100%%" style="max-width:%dpx" xmlns="http://www.w3.org/2000/svg">`,
		id, id, id, labelW+barW+80, height, labelW+barW+80)
	fmt.Fprintf(&sb, `<title id="%s-title">%s</title>`, id, esc(title))
	for i, b := range bars {
		y := top + i*rowH
		label := b.Label
		if len([]rune(label)) > 30 {
			label = string([]rune(label)[:29]) + "…"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">%s</text>`, labelW-8, y+17, esc(label))
		if b.Withheld {
			fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" font-style="italic" fill="#555">%s</text>`, labelW, y+17, esc(withheldWord(lang)))
			continue
		}
		w := b.Value * barW / maxV
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#9bb7d4"/>`, labelW, y+4, w, rowH-8)
		if b.Inner > 0 {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1f4e79"/>`, labelW, y+4, b.Inner*barW/maxV, rowH-8)
		}
		fig := i18n.Number(b.Value, lang)
		if b.Inner > 0 {
			fig = i18n.Number(b.Inner, lang) + " / " + fig
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" fill="#222">%s</text>`, labelW+w+6, y+17, esc(fig))
	}
	if note != "" {
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="12" fill="#555">%s</text>`, labelW, height-8, esc(note))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) //nolint:gosec // every text is escaped above
}

func withheldWord(lang string) string {
	if lang == "fr" {
		return "non communiqué (petit groupe)"
	}
	return "withheld (small group)"
}

// peopleView is the people search page.
type peopleView struct {
	Q      string
	Error  string
	Result *statistics.SearchResult
}

// peoplePage: GET /secretariat/people?q=
func (h *secretariat) peoplePage(c *gin.Context) {
	lang := language(c)
	v := peopleView{Q: c.Query("q")}
	status := http.StatusOK
	if strings.TrimSpace(v.Q) != "" {
		res, err := h.deps.Statistics.Search(c.Request.Context(), actorOf(c), v.Q)
		if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
			v.Error = text(h.cat, lang, e.Fields["q"])
			status = http.StatusUnprocessableEntity
		} else if err != nil {
			h.failed(c, err)
			return
		} else {
			v.Result = &res
		}
	}
	h.renderPage(c, status, "secretariat_people", lang, h.cat.T(lang, "sec.people.title", nil), v)
}

// personPage: GET /secretariat/people/{id}
func (h *secretariat) personPage(c *gin.Context) {
	lang := language(c)
	id, err := idParam(c, "id")
	if err != nil {
		h.failed(c, err)
		return
	}
	hist, err := h.deps.Statistics.History(c.Request.Context(), actorOf(c), id)
	if err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, http.StatusOK, "secretariat_person", lang, hist.Person.FirstName+" "+hist.Person.LastName, hist)
}
