# نصوص مشتركة بين كل الصفحات: التخطيط، واختيار اللغة، والتواريخ، وصفحات الأخطاء.
# معرّفات الرسائل هي نفسها في الفهارس الإنجليزية (locales/en).
# العربية الفصحى المعاصرة؛ المصطلحات: «تسجيل الدخول»، «رمز لمرة واحدة»، «تطبيق المصادقة»، «كلمة المرور».
# Numbers, phone numbers and times are wrapped in left-to-right isolates ({ "\u2066" } … { "\u2069" })
# where their parts must stay in left-to-right order inside right-to-left text.

## This language, named in itself (shown in the language picker).
language-name = العربية

## The layout (base.html.tera).
skip-to-content = الانتقال إلى المحتوى
secure-badge = تسجيل دخول آمن
language-picker = اللغة
footer-safety = لن يطلب منك { $product } أبدًا كلمة المرور أو رمزًا لمرة واحدة عبر الهاتف أو البريد الإلكتروني.
footer-support = المساعدة والدعم
# Put before a page title when its form came back with an error.
title-error = خطأ:

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $day }/{ $month }/{ $year }، الساعة { "\u2066" }{ $hour }:{ $minute }{ "\u2069" } UTC

## The error page (error.html.tera).
error-retry-after = { $seconds ->
    [zero] يمكنك المحاولة مرة أخرى الآن.
    [one] يمكنك المحاولة مرة أخرى بعد ثانية واحدة تقريبًا.
    [two] يمكنك المحاولة مرة أخرى بعد ثانيتين تقريبًا.
    [few] يمكنك المحاولة مرة أخرى بعد { $seconds } ثوانٍ تقريبًا.
    [many] يمكنك المحاولة مرة أخرى بعد { $seconds } ثانية تقريبًا.
   *[other] يمكنك المحاولة مرة أخرى بعد { $seconds } ثانية تقريبًا.
}
error-back-to-signin = العودة إلى تسجيل الدخول
error-reference = إذا تواصلت مع الدعم، فاذكر رقم العملية هذا:
error-unavailable-title = لا يمكننا تسجيل دخولك الآن
error-unavailable-detail = حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى بعد قليل.
error-unavailable-short-detail = يُرجى المحاولة مرة أخرى بعد قليل.
error-rate-limited-title = محاولات كثيرة جدًا
error-rate-limited-detail = يُرجى الانتظار قليلًا قبل المحاولة مرة أخرى.
error-policy-title = طريقة تسجيل الدخول هذه غير متاحة
error-policy-detail = لا تسمح بها سياسة مؤسستك. جرّب طريقة أخرى أو تواصل مع الدعم.
error-internal-title = حدث خطأ ما
error-internal-detail = يُرجى البدء من جديد بعد قليل.
error-csrf-title = انتهت صلاحية هذه الصفحة
error-csrf-detail = حرصًا على أمانك، تعذّر قبول النموذج. ارجع إلى الصفحة السابقة وأعد تحميلها ثم حاول مرة أخرى.
error-not-found-title = الصفحة غير موجودة
error-not-found-detail = لا يوجد شيء على هذا العنوان.
error-refused-title = تم رفض الطلب
error-refused-detail = تم رفض هذا الطلب حرصًا على أمانك. أعد تحميل الصفحة ثم حاول مرة أخرى.
error-bad-request-title = هناك خطأ في الطلب
error-bad-request-detail = ارجع إلى الصفحة السابقة وتحقق من النموذج ثم حاول مرة أخرى.
error-forbidden-title = ليس لديك إذن بالوصول إلى هذه الصفحة
error-forbidden-detail = لقد سجّلت الدخول، لكن هذه الصفحة غير متاحة لحسابك. إذا كنت ترى أنها يجب أن تكون متاحة، فاسأل القائمين على هذا الموقع.
