set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.16682205 0.961026835 1.37261726
0.97 1.55314737 0.868267243 2.23802749
1.97 1.92953496 1.67552659 2.18354332
EOD
$d1 << EOD
0.03 2.50792235 2.33007671 2.68576799
1.03 2.50979049 2.42493789 2.59464309
2.03 3.0338333 2.45532337 3.61234323
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
