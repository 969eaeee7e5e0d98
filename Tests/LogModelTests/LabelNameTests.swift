import LogModel
import Testing

@Suite struct LabelNameTests {
    @Test func prometheusRule() {
        #expect(LabelName.isValid("app") && LabelName.isValid("_x9") && LabelName.isValid("A_b"))
        #expect(!LabelName.isValid("") && !LabelName.isValid("9a") && !LabelName.isValid("a-b") && !LabelName.isValid("é"))
    }
}
