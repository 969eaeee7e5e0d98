/// The arithmetic and comparisons of binary operations, as Loki computes them: division and modulo
/// by zero give NaN; a comparison gives 1 or 0, or with `filter` drops the sample (nil) when false.
enum SampleMath {
    static func apply(_ op: BinaryOperation.Op, _ l: Double, _ r: Double, filter: Bool) -> Double? {
        func compare(_ holds: Bool) -> Double? { holds ? 1 : filter ? nil : 0 }
        switch op {
        case .add: return l + r
        case .subtract: return l - r
        case .multiply: return l * r
        case .divide: return r == 0 ? .nan : l / r
        case .modulo: return r == 0 ? .nan : fmod(l, r)
        case .power: return pow(l, r)
        case .equal: return compare(l == r)
        case .notEqual: return compare(l != r)
        case .greater: return compare(l > r)
        case .greaterOrEqual: return compare(l >= r)
        case .less: return compare(l < r)
        case .lessOrEqual: return compare(l <= r)
        case .and, .or, .unless: return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
