package dev.cnai.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.cli.report.Charts.Bar;
import dev.cnai.cli.report.Charts.Marker;
import dev.cnai.cli.report.Charts.Point;
import dev.cnai.cli.report.Charts.Range;
import dev.cnai.cli.report.Charts.Series;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The SVG builder: well-formed, escaped, and drawable with no data or a single round. */
class ChartsTest {
    private static final String EVIL = "<script>alert('x')</script> & \"shard\"";

    /** Parses an SVG element as XML: fails on anything a browser would not read as the same tree. */
    static Document xml(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> all(Document d, String tag) {
        NodeList n = d.getElementsByTagNameNS("*", tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) {
            out.add((Element) n.item(i));
        }
        return out;
    }

    @Test
    void namesAndLabelsAreEscaped() throws Exception {
        String svg = Charts.lines(EVIL, EVIL, EVIL, List.of(new Series(EVIL, List.of(new Point(1, 1), new Point(2, 0.5)))),
                List.of(new Marker(2, EVIL)));
        assertFalse(svg.contains("<script>"), svg);
        Document d = xml(svg);
        assertTrue(all(d, "text").stream().anyMatch(t -> t.getTextContent().equals(EVIL)), "the text survives as text");
        assertEquals(EVIL, all(d, "polyline").get(0).getAttribute("data-name"));
        String bars = Charts.bars(EVIL, "J", List.of(new Bar(EVIL, 2)));
        assertFalse(bars.contains("<script>"));
        xml(bars);
        String heat = Charts.heatmap(EVIL, List.of(EVIL, "b"), new long[][] {{1, 0}, {2, 3}});
        assertFalse(heat.contains("<script>"));
        assertEquals(4, all(xml(heat), "rect").stream().filter(r -> r.getAttribute("class").equals("cell")).count());
        assertEquals("&lt;a&gt; &amp; &quot;b&quot; &#39;c&#39;", Html.escape("<a> & \"b\" 'c'"));
    }

    @Test
    void emptyDataSaysSoInsteadOfDrawing() throws Exception {
        for (String svg : List.of(Charts.lines("t", "x", "y", List.of(), List.of()),
                Charts.lines("t", "x", "y", List.of(new Series("s", List.of(new Point(1, Double.NaN)))), List.of()),
                Charts.ranges("t", "x", "y", List.of(new Range(1, List.of()))),
                Charts.bars("t", "s", List.of()),
                Charts.heatmap("t", List.of(), new long[0][]))) {
            Document d = xml(svg);
            assertTrue(all(d, "polyline").isEmpty(), svg);
            assertTrue(all(d, "text").stream().anyMatch(t -> t.getTextContent().equals("no data")), svg);
        }
    }

    @Test
    void oneRoundIsDrawnAsAVisiblePointWithFiniteCoordinates() throws Exception {
        Document d = xml(Charts.lines("Loss", "round", "loss", List.of(new Series("validation",
                List.of(new Point(1, 0.42)))), List.of(new Marker(1, "best round 1"))));
        List<Element> lines = all(d, "polyline");
        assertEquals(1, lines.size());
        String points = lines.get(0).getAttribute("points");
        assertTrue(points.matches("[0-9.]+,[0-9.]+"), points);
        assertEquals(1, all(d, "circle").size(), "a lone point is a dot, since a one-point line draws nothing");
        double x = Double.parseDouble(points.split(",")[0]);
        assertTrue(x > 60 && x < 540, "inside the plot area: " + x);
        Document r = xml(Charts.ranges("spread", "round", "loss", List.of(new Range(1, List.of(0.5, 0.7, 0.6)))));
        assertEquals(3, all(r, "circle").size());
        String path = all(r, "path").stream().filter(p -> p.getAttribute("class").equals("range")).findFirst()
                .orElseThrow().getAttribute("d");
        assertFalse(path.contains("NaN") || path.contains("Infinity"), path);
    }

    @Test
    void linesMapLargerValuesHigherAndMarkersOntoTheirRound() throws Exception {
        Document d = xml(Charts.lines("Loss", "round", "loss", List.of(new Series("train",
                List.of(new Point(1, 2.0), new Point(2, 1.0), new Point(3, 0.5)))), List.of(new Marker(2, "best"))));
        String[] pts = all(d, "polyline").get(0).getAttribute("points").split(" ");
        assertEquals(3, pts.length);
        double y1 = Double.parseDouble(pts[0].split(",")[1]);
        double y3 = Double.parseDouble(pts[2].split(",")[1]);
        assertTrue(y1 < y3, "SVG y grows downwards: the larger loss is higher up");
        double x2 = Double.parseDouble(pts[1].split(",")[0]);
        Element marker = all(d, "line").stream().filter(l -> l.getAttribute("class").equals("marker")).findFirst()
                .orElseThrow();
        assertEquals(x2, Double.parseDouble(marker.getAttribute("x1")), 0.01);
    }

    @Test
    void aConfusionMatrixHasOneCellPerPairWithItsCount() throws Exception {
        long[][] m = new long[10][10];
        for (int i = 0; i < 10; i++) {
            m[i][i] = 10 + i;
            m[i][(i + 1) % 10] = 1;
        }
        Document d = xml(Charts.heatmap("confusion", java.util.stream.IntStream.range(0, 10).mapToObj(Integer::toString)
                .toList(), m));
        List<Element> cells = all(d, "rect").stream().filter(r -> r.getAttribute("class").equals("cell")).toList();
        assertEquals(100, cells.size());
        assertTrue(cells.stream().anyMatch(c -> c.getTextContent().equals("true 3, predicted 3: 13")));
    }
}
