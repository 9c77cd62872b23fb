// SPDX-License-Identifier: GPL-3.0-or-later

import SwitchyardStochastic
import Testing

struct LibraryTests {
    @Test("GSL links and reports a 2.x version")
    func gslVersion() {
        #expect(StochasticLibrary.gslVersion.hasPrefix("2."))
    }
}
