# مسار تسجيل الدخول: نموذج تسجيل الدخول، واختيار طريقة التحقق، وإدخال الرمز، وانتظار الإشعار، واستعادة الحساب.

## Sign-in form (signin.html.tera).
signin-title = تسجيل الدخول
signin-lead = مرحبًا بعودتك إلى { $product }.
signin-username = اسم المستخدم
signin-password = كلمة المرور
signin-remember = إبقائي مسجّل الدخول
signin-forgot = هل نسيت كلمة المرور؟
signin-submit = تسجيل الدخول
signin-passwordless = أو سجّل الدخول دون كلمة مرور

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = رمز لمرة واحدة من تطبيق المصادقة
method-push = إشعار فوري إلى Okta Verify
method-sms = رمز لمرة واحدة برسالة نصية (SMS)
method-voice = رمز لمرة واحدة بمكالمة هاتفية
method-email = رمز لمرة واحدة بالبريد الإلكتروني

## Factor choice (factor.html.tera).
factor-title = تأكيد هويتك
factor-lead = اختر الطريقة التي تريد أن تؤكد بها هويتك.
factor-recovery-title = إعادة تعيين كلمة المرور
factor-recovery-lead = اختر الطريقة التي نتحقق بها من هويتك قبل أن تختار كلمة مرور جديدة.
factor-group = طرق التحقق

## Code entry (verify.html.tera).
verify-otp-title = أدخل الرمز من تطبيق المصادقة
verify-otp-hint = افتح تطبيق المصادقة واكتب الرمز المكوّن من 6 أرقام الذي يظهر فيه.
verify-sms-title = أدخل الرمز الذي أرسلناه إليك برسالة نصية
verify-sms-hint = أرسلنا رمزًا لمرة واحدة برسالة نصية إلى رقم الهاتف المسجّل في حسابك.
verify-voice-title = أدخل الرمز من مكالمتنا
verify-voice-hint = نتصل الآن برقم الهاتف المسجّل في حسابك لنقرأ عليك رمزًا لمرة واحدة.
verify-email-title = أدخل الرمز الذي أرسلناه إليك بالبريد الإلكتروني
verify-email-hint = أرسلنا رمزًا لمرة واحدة إلى عنوان البريد الإلكتروني المسجّل في حسابك.
verify-push-title = أدخل الرمز
verify-code = الرمز لمرة واحدة
verify-submit = تحقّق
verify-no-code = ألم يصلك الرمز؟
verify-resend = إرسال رمز جديد
verify-resend-in = { $seconds ->
    [zero] متاح الآن.
    [one] متاح بعد ثانية واحدة.
    [two] متاح بعد ثانيتين.
    [few] متاح بعد { $seconds } ثوانٍ.
    [many] متاح بعد { $seconds } ثانية.
   *[other] متاح بعد { $seconds } ثانية.
}

## Links under every step.
step-switch = تجربة طريقة أخرى
step-cancel = إلغاء

## Push wait (wait.html.tera and wait.js).
wait-title = تحقّق من هاتفك
wait-lead = أرسلنا طلب تسجيل دخول إلى Okta Verify للمستخدم { $username }.
wait-number = اضغط على هذا الرقم في Okta Verify:
wait-number-label = الرقم المطلوب الضغط عليه: { $number }
wait-waiting = بانتظار موافقتك…
wait-continue = وافقت على الطلب، متابعة
wait-approved = تمت الموافقة. جارٍ تسجيل دخولك…
wait-denied = تم رفض الطلب. جارٍ إعادتك…
wait-expired = انتهت صلاحية الطلب. جارٍ إعادتك…
wait-continuing = جارٍ المتابعة…

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = إعادة تعيين كلمة المرور
recover-lead = أخبرنا من أنت. سنتحقق من هويتك برمز لمرة واحدة أو بإشعار فوري، ثم تختار كلمة مرور جديدة.
recover-continue = متابعة
recover-back = العودة إلى تسجيل الدخول
new-password-title = اختيار كلمة مرور جديدة
new-password-lead = اكتبها مرتين. ستسجّل الدخول بها في المرة القادمة.
new-password-field = كلمة المرور الجديدة
new-password-again = تأكيد كلمة المرور الجديدة
new-password-submit = تغيير كلمة المرور

## Notices: one line at the top of a step.
notice-expired = استغرقت هذه الخطوة وقتًا طويلًا وانتهت صلاحيتها. يُرجى البدء من جديد.
notice-cancelled = تم إلغاء تسجيل الدخول.
notice-denied = تم رفض طلب تسجيل الدخول على جهازك.
notice-code-sent = أرسلنا إليك رمزًا لمرة واحدة.
notice-code-resent = أرسلنا إليك رمزًا جديدًا لمرة واحدة.
notice-resend-wait = { $seconds ->
    [zero] يمكنك طلب رمز جديد الآن.
    [one] يمكنك طلب رمز جديد بعد ثانية واحدة.
    [two] يمكنك طلب رمز جديد بعد ثانيتين.
    [few] يمكنك طلب رمز جديد بعد { $seconds } ثوانٍ.
    [many] يمكنك طلب رمز جديد بعد { $seconds } ثانية.
   *[other] يمكنك طلب رمز جديد بعد { $seconds } ثانية.
}
notice-resend-limit = طلبت رموزًا كثيرة جدًا. استخدم آخر رمز أرسلناه، أو ابدأ من جديد.
notice-method-unavailable = هذه الطريقة غير متاحة لحسابك. يُرجى اختيار طريقة أخرى.
notice-too-many-attempts = أُدخلت رموز خاطئة كثيرة جدًا. يُرجى البدء من جديد.
notice-choose-another = يُرجى اختيار طريقة تحقق أخرى.
notice-signed-out = تم تسجيل خروجك.
notice-session-ended = انتهت جلستك. يُرجى تسجيل الدخول مرة أخرى.
notice-confirm-identity = لفتح هذه الصفحة، يُرجى تأكيد هويتك بتسجيل الدخول مرة أخرى.
notice-password-changed = تم تغيير كلمة المرور. سجّل الدخول بكلمة المرور الجديدة.
notice-confirm-change = لإجراء هذا التغيير، يُرجى تأكيد هويتك بتسجيل الدخول مرة أخرى. سيُحفظ التغيير ويُستكمل بعد ذلك.

## Form errors beside a field.
invalid-username-empty = أدخل اسم المستخدم.
invalid-username = اسم المستخدم هذا غير صالح.
invalid-password-empty = أدخل كلمة المرور.
invalid-password-long = كلمة المرور هذه طويلة جدًا.
invalid-method = اختر طريقة لتسجيل الدخول.
invalid-factor = اختر أحد الخيارات.
invalid-credentials = اسم المستخدم أو كلمة المرور غير صحيحة.
invalid-code-wrong = لم يعمل هذا الرمز. تحقق منه وحاول مرة أخرى.
invalid-code-empty = أدخل الرمز.
invalid-code-long = هذا الرمز طويل جدًا.
invalid-code-digits = يتكوّن الرمز من أرقام فقط.
invalid-code-alphanumeric = يتكوّن الرمز من حروف وأرقام فقط.
invalid-new-password-empty = أدخل كلمة مرور جديدة.
invalid-passwords-differ = كلمتا المرور غير متطابقتين.
invalid-password-weak = اختر كلمة مرور أقوى:

## A password policy's rules, in words.
rule-min-length = { $count ->
    [zero] استخدم { $count } حرف على الأقل.
    [one] استخدم حرفًا واحدًا على الأقل.
    [two] استخدم حرفين على الأقل.
    [few] استخدم { $count } أحرف على الأقل.
    [many] استخدم { $count } حرفًا على الأقل.
   *[other] استخدم { $count } حرف على الأقل.
}
rule-longer = استخدم عددًا أكبر من الأحرف.
rule-lowercase = أضف حرفًا لاتينيًا صغيرًا.
rule-uppercase = أضف حرفًا لاتينيًا كبيرًا.
rule-number = أضف رقمًا.
rule-symbol = أضف رمزًا خاصًا، مثل ! أو #.
rule-no-username = لا تستخدم أي جزء من اسم المستخدم.
rule-history = { $count ->
    [zero] اختر كلمة مرور لم تستخدمها من قبل، غير كلمة المرور الحالية.
    [one] اختر كلمة مرور لم تستخدمها من قبل: لا الحالية ولا السابقة.
    [two] اختر كلمة مرور لم تستخدمها من قبل: لا الحالية ولا أيًّا من آخر كلمتي مرور.
    [few] اختر كلمة مرور لم تستخدمها من قبل: لا الحالية ولا أيًّا من آخر { $count } كلمات مرور.
    [many] اختر كلمة مرور لم تستخدمها من قبل: لا الحالية ولا أيًّا من آخر { $count } كلمة مرور.
   *[other] اختر كلمة مرور لم تستخدمها من قبل: لا الحالية ولا أيًّا من آخر { $count } كلمة مرور.
}
rule-history-any = اختر كلمة مرور لم تستخدمها من قبل.
rule-policy = لا تقبل سياسة كلمات المرور في مؤسستك كلمة المرور هذه. جرّب كلمة مرور أطول.
