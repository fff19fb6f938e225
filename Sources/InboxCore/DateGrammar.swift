/// The words a date line can contain (as ``TextKey`` keys); anything else is `.other`.
enum DateWord: UInt8 {
    case other
    case cap, nhat, luc, ngay, dang, published, posted, updated, on, at, xuat, ban, thoi, gian
    case thu, hai, ba, tu, nam, sau, bay, chu, cn, t
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday
    case mon, tue, tues, wed, thur, thurs, fri, sat, sun
    case january, february, march, april, may, june, july, august, september, october, november, december
    case jan, feb, mar, apr, jun, jul, aug, sep, sept, oct, nov, dec
    case thang, h, g, gio, phut, p, am, pm, sa, ch, gmt, utc, ict, ha, noi, viet, z
    case et, est, edt, ct, cst, cdt, pt, pst, pdt, st, nd, rd, th

    static let byKey: [String: DateWord] = {
        var m: [String: DateWord] = [:]
        var raw: UInt8 = 1
        while let w = DateWord(rawValue: raw) {
            m[String(describing: w)] = w
            raw += 1
        }
        return m
    }()

    var month: Int? {
        switch self {
        case .january, .jan: 1
        case .february, .feb: 2
        case .march, .mar: 3
        case .april, .apr: 4
        case .may: 5
        case .june, .jun: 6
        case .july, .jul: 7
        case .august, .aug: 8
        case .september, .sep, .sept: 9
        case .october, .oct: 10
        case .november, .nov: 11
        case .december, .dec: 12
        default: nil
        }
    }
}

/// A token of a date line key.
enum DateToken: Equatable {
    case number(Int, digits: Int)
    case word(DateWord)
    case punct(UInt32)
}

/// Recursive-descent matcher over the tokens of one key; each rule restores the position when
/// it fails.
struct DateCursor {
    var tokens: [DateToken] = []
    var i = 0

    init(_ key: [UInt8]) {
        tokens.reserveCapacity(12)
        var wordStart = -1
        var number = 0, digits = 0
        func flushWord(_ end: Int) {
            if wordStart >= 0 {
                let w = String(decoding: key[wordStart..<end], as: UTF8.self)
                tokens.append(.word(DateWord.byKey[w] ?? .other))
                wordStart = -1
            }
        }
        func flushNumber() {
            if digits > 0 { tokens.append(.number(number, digits: digits)); number = 0; digits = 0 }
        }
        var i = 0
        while i < key.count {
            let b = key[i]
            if b >= 0x30 && b <= 0x39 {
                flushWord(i)
                if digits < 9 { number = number * 10 + Int(b - 0x30) }
                digits += 1
                i += 1
            } else if b < 0x80 {
                if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A {
                    flushNumber()
                    if wordStart < 0 { wordStart = i }
                } else {
                    flushWord(i)
                    flushNumber()
                    if !UTF8Encoding.isASCIISpace(b) { tokens.append(.punct(UInt32(b))) }
                }
                i += 1
            } else {
                let v = key.withUnsafeBufferPointer { UTF8Encoding.scalar(at: i, in: $0) }
                guard let (value, len) = v else { break }
                if Letters.isLetter(value) {
                    flushNumber()
                    if wordStart < 0 { wordStart = i }
                } else {
                    flushWord(i)
                    flushNumber()
                    if !UTF8Encoding.isUnicodeSpace(value) { tokens.append(.punct(value)) }
                }
                i += len
            }
        }
        flushWord(key.count)
        flushNumber()
    }

    var atEnd: Bool { i >= tokens.count }

    mutating func word(_ w: DateWord) -> Bool {
        guard i < tokens.count, case .word(let x) = tokens[i], x == w else { return false }
        i += 1
        return true
    }

    mutating func word(in options: [DateWord]) -> DateWord? {
        guard i < tokens.count, case .word(let x) = tokens[i], options.contains(x) else { return nil }
        i += 1
        return x
    }

    /// Consumes one punctuation token that is one of `options` (scalar values).
    mutating func punct(_ options: [UInt32]) -> Bool {
        guard i < tokens.count, case .punct(let p) = tokens[i], options.contains(p) else { return false }
        i += 1
        return true
    }

    mutating func punct(_ option: UInt32) -> Bool {
        guard i < tokens.count, case .punct(let p) = tokens[i], p == option else { return false }
        i += 1
        return true
    }

    mutating func number(digits allowed: ClosedRange<Int> = 1...2) -> Int? {
        guard i < tokens.count, case .number(let n, let d) = tokens[i], allowed.contains(d) else { return nil }
        i += 1
        return n
    }

    static let comma: UInt32 = 0x2C, colon: UInt32 = 0x3A, dot: UInt32 = 0x2E, slash: UInt32 = 0x2F
    static let dash: UInt32 = 0x2D, plus: UInt32 = 0x2B, open: UInt32 = 0x28, close: UInt32 = 0x29
    static let separators: [UInt32] = [0x2C, 0x7C, 0x2D, 0x2013, 0x2014, 0xB7, 0x2022, 0x2F]  // , | - – — · • /
    static let commaBar: [UInt32] = [0x2C, 0x7C]
    static let commaDashBar: [UInt32] = [0x2C, 0x2D, 0x7C]
    static let minus: [UInt32] = [0x2D, 0x2212]
    static let weekdaysVN: [DateWord] = [.hai, .ba, .tu, .nam, .sau, .bay]
    static let weekdaysEN: [DateWord] = [
        .cn, .monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday,
        .mon, .tue, .tues, .wed, .thur, .thurs, .fri, .sat, .sun,
    ]
    static let usZones: [DateWord] = [.et, .est, .edt, .ct, .cst, .cdt, .pt, .pst, .pdt]
    static let lucNgay: [DateWord] = [.luc, .ngay]
    static let dangCap: [DateWord] = [.dang, .cap]
    static let postedWords: [DateWord] = [.published, .posted, .updated]
    static let onAt: [DateWord] = [.on, .at]
    static let ordinals: [DateWord] = [.st, .nd, .rd, .th]
    static let hourMarks: [DateWord] = [.h, .g, .gio]
    static let minuteMarks: [DateWord] = [.phut, .p]
    static let meridiems: [DateWord] = [.am, .pm, .sa, .ch]
    static let utcNames: [DateWord] = [.gmt, .utc]
    static let dateSeparators: [UInt32] = [0x2F, 0x2D, 0x2E]  // / - .
    static let commaSlash: [UInt32] = [0x2C, 0x2F]

    mutating func separators() {
        while punct(DateCursor.separators) {}
    }

    // MARK: grammar

    mutating func dateLine() -> DateStamp? {
        prefix()
        weekday()
        let save = i
        if var d = date() {
            separators()
            if let t = time() {
                d.hour = t.h
                d.minute = t.m
                d.second = t.s
                _ = punct(DateCursor.commaBar)
            }
            if let z = zone() { d.offsetMinutes = z }
            _ = punct(DateCursor.dot)
            if atEnd { return d }
        }
        i = save
        if let t = time() {
            separators()
            weekday()
            if var d = date() {
                d.hour = t.h
                d.minute = t.m
                d.second = t.s
                if let z = zone() { d.offsetMinutes = z }
                _ = punct(DateCursor.dot)
                if atEnd { return d }
            }
        }
        return nil
    }

    /// `Cập nhật:`, `Đăng lúc`, `Published`... before a date.
    mutating func prefix() {
        let save = i
        if word(.cap), word(.nhat) {
            _ = word(in: DateCursor.lucNgay)
        } else if word(.dang) {
            _ = word(in: DateCursor.lucNgay)
        } else if word(.ngay), word(in: DateCursor.dangCap) != nil {
            _ = word(.nhat)
        } else if word(in: DateCursor.postedWords) != nil {
            _ = word(in: DateCursor.onAt)
        } else if word(.xuat), word(.ban) {
        } else if word(.thoi), word(.gian) {
        } else {
            i = save
            return
        }
        _ = punct(DateCursor.colon)
    }

    mutating func weekday() {
        let save = i
        if word(.thu) {
            // Vietnamese "Thứ Hai"/"Thứ 2"; alone it is English "Thu" (Thursday).
            if word(in: DateCursor.weekdaysVN) == nil { _ = number(digits: 1...1) }
        } else if word(.chu) {
            guard word(.nhat) else { i = save; return }
        } else if word(.t) {
            guard let n = number(digits: 1...1), (2...7).contains(n) else { i = save; return }
        } else if word(in: DateCursor.weekdaysEN) == nil {
            return
        }
        _ = punct(DateCursor.dot)
        _ = punct(DateCursor.commaDashBar)
    }

    mutating func monthName() -> Int? {
        guard i < tokens.count, case .word(let w) = tokens[i], let m = w.month else { return nil }
        i += 1
        _ = punct(DateCursor.dot)
        return m
    }

    mutating func year() -> Int? {
        if let y = number(digits: 4...4) { return y }
        if let y = number(digits: 2...2) { return 2000 + y }
        return nil
    }

    mutating func date() -> DateStamp? {
        let save = i
        if let d = dateCore() { return d }
        i = save
        return nil
    }

    private mutating func dateCore() -> DateStamp? {
        _ = word(.ngay)
        if let y = number(digits: 4...4) {
            // ISO 8601: 2024-03-25, optionally followed by T and a time.
            guard punct(DateCursor.dash), let m = number(), punct(DateCursor.dash), let d = number() else { return nil }
            _ = word(.t)
            return DateStamp.isValid(year: y, month: m, day: d)
                ? DateStamp(year: y, month: m, day: d, vietnamese: false) : nil
        }
        if let a = number() {
            let save = i
            for sep in DateCursor.dateSeparators where punct(sep) {
                guard let m = number() else { return nil }
                var y: Int? = nil
                if punct(sep) {
                    guard let yy = year() else { return nil }
                    y = yy
                }
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: true) : nil
            }
            i = save
            if word(.thang), let m = number() {
                var y: Int? = nil
                if word(.nam) || punct(DateCursor.commaSlash) {
                    guard let yy = number(digits: 4...4) else { return nil }
                    y = yy
                }
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: true) : nil
            }
            if let m = monthName() {
                _ = punct(DateCursor.comma)
                let y = number(digits: 4...4)
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: false) : nil
            }
            return nil
        }
        if let m = monthName() {
            guard let d = number() else { return nil }
            _ = word(in: DateCursor.ordinals)
            _ = punct(DateCursor.comma)
            let y = number(digits: 4...4)
            return DateStamp.isValid(year: y, month: m, day: d)
                ? DateStamp(year: y, month: m, day: d, vietnamese: false) : nil
        }
        return nil
    }

    mutating func time() -> (h: Int, m: Int, s: Int)? {
        let save = i
        guard var h = number() else { return nil }
        var m = 0, s = 0
        if punct(DateCursor.colon) {
            guard let mm = number(digits: 2...2) else { i = save; return nil }
            m = mm
            if punct(DateCursor.colon) {
                guard let ss = number(digits: 2...2) else { i = save; return nil }
                s = ss
            }
        } else if word(in: DateCursor.hourMarks) != nil {
            if let mm = number(digits: 2...2) {
                m = mm
                _ = word(in: DateCursor.minuteMarks)
            }
        } else {
            i = save
            return nil
        }
        if let ampm = word(in: DateCursor.meridiems) {
            guard (1...12).contains(h) else { i = save; return nil }
            h = (ampm == .pm || ampm == .ch) ? h % 12 + 12 : h % 12
        }
        guard h <= 23, m <= 59, s <= 59 else { i = save; return nil }
        return (h, m, s)
    }

    /// `(GMT+7)`, `GMT+07:00`, `UTC`, `ICT`, `+0700`, `(giờ Hà Nội)`: minutes east of UTC.
    /// US zone names are accepted but give no offset (their DST is unknowable here).
    mutating func zone() -> Int? {
        let save = i
        let paren = punct(DateCursor.open)
        var offset: Int?
        if word(in: DateCursor.utcNames) != nil {
            offset = signedOffset() ?? 0
        } else if word(.ict) {
            offset = 7 * 60
        } else if word(.gio) {
            if word(.ha), word(.noi) { offset = 7 * 60 } else if word(.viet), word(.nam) { offset = 7 * 60 }
        } else if word(.z) {
            offset = 0
        } else if let o = signedOffset() {
            offset = o
        } else if word(in: DateCursor.usZones) != nil {
            if paren { _ = punct(DateCursor.close) }
            return nil
        }
        guard let o = offset, abs(o) <= 14 * 60, !paren || punct(DateCursor.close) else {
            i = save
            return nil
        }
        return o
    }

    private mutating func signedOffset() -> Int? {
        let save = i
        let sign: Int
        if punct(DateCursor.plus) { sign = 1 } else if punct(DateCursor.minus) { sign = -1 } else { return nil }
        if let hhmm = number(digits: 4...4) { return sign * ((hhmm / 100) * 60 + hhmm % 100) }
        guard let h = number() else { i = save; return nil }
        var m = 0
        if punct(DateCursor.colon) {
            guard let mm = number(digits: 2...2) else { i = save; return nil }
            m = mm
        }
        return sign * (h * 60 + m)
    }
}
