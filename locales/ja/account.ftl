# ホームページとアカウントページ。

## Home (home.html.tera).
home-welcome-back = おかえりなさい、{ $name }様
# $name when the profile has no name. (「様」は home-welcome-back が付けるので、ここは「お客」。)
home-you = お客
home-signed-in = サインインしています。
home-signed-in-as = { $email } としてサインインしています。
home-account = アカウント
home-sign-out = サインアウト
home-welcome = { $product } へようこそ
home-not-signed-in = サインインしていません。
home-sign-in = サインイン

## Account (account.html.tera).
account-title = アカウント
account-sign-out = サインアウト
account-profile = プロフィール
account-name = 名前
account-email = メールアドレス
account-username = ユーザー名
account-groups = グループ
account-this-signin = 今回のサインイン
account-signed-in-at = サインイン日時
account-methods-used = 使用した方法
account-kept-signed-in = サインインしたままにする
account-yes = はい
account-no = いいえ
account-methods = サインイン方法
account-set-up = 設定済み
account-not-set-up = 未設定
account-phones = 電話番号
account-verified = 確認済み
account-not-verified = 未確認
account-text-code = SMS で確認コードを受け取る
account-call-code = 音声通話で確認コードを受け取る
account-code-for = { $number } の確認コード
account-verify = 確認
account-remove = { $number } を削除
account-no-phone = 電話番号はまだ登録されていません。
account-add-phone = 電話番号を追加
account-add-phone-hint = 国番号を付けて入力してください（例：+81 3 1234 5678）。
account-add-phone-submit = 電話番号を追加
account-methods-unavailable = 現在、サインイン方法を読み込めません。
account-change-password = パスワードの変更
account-current-password = 現在のパスワード
account-new-password = 新しいパスワード
account-new-password-again = 新しいパスワード（確認）
account-change-password-submit = パスワードを変更
account-sessions = 有効なセッション
account-sign-out-everywhere = すべての場所からサインアウト
account-device = デバイス
account-ip = IP アドレス
account-signed-in = サインイン
account-last-active = 最終アクセス
account-this-browser = このブラウザ
account-unknown-browser = 不明なブラウザ
account-userinfo = Okta のプロフィール
account-userinfo-show = Okta から返されたお客様の情報（クレーム）を表示
account-userinfo-unavailable = 現在、Okta のプロフィールを読み込めません。

## The line shown after an account action.
done-password-changed = パスワードを変更しました。
done-phone-added = 電話番号を追加しました。確認コードを送信し、入力して番号を確認してください。
done-code-sent = その電話番号に確認コードをお送りしました。
done-phone-verified = 電話番号を確認しました。この番号でサインインできるようになりました。
done-phone-removed = 電話番号を削除しました。

## Account form errors.
account-invalid-phone-number = 国番号を付けて番号を入力してください（例：+81 3 1234 5678）。
account-invalid-phone-choice = 登録済みの電話番号から選択してください。
account-invalid-current-password = 現在のパスワードが正しくありません。
account-invalid-code = この確認コードは使用できませんでした。確認してもう一度お試しください。
account-invalid-phone-refused = Okta はこの番号を受け付けませんでした。
account-invalid-phone-state = 現在この操作は行えません。この番号はすでに登録済みか、確認コードの有効期限が切れています（新しいコードを送信してください）。
account-invalid-phone-gone = この電話番号はアカウントに登録されていません。
account-invalid-reauth = このサインインでは変更できません。サインアウトしてもう一度サインインしてから、再度お試しください。
account-invalid-current-password-empty = 現在のパスワードを入力してください。
account-invalid-phone-method = SMS または音声通話を選択してください。
account-invalid-code-digits = 確認コードを数字のみで入力してください。
