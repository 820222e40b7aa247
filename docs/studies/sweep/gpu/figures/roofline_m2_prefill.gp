set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 4.45370251 1.91772994 6.98967508
0.94 0.557596932 0.555469456 0.559724408
1.94 0.523209129 0.51519912 0.531219139
EOD
$d1 << EOD
0 29.7113225 27.4109238 32.0117212
1 31.1954191 29.9600978 32.4307404
2 30.4134187 29.3481864 31.4786509
EOD
$d2 << EOD
0.06 30.2493411 29.6489006 30.8497816
1.06 30.4393731 29.4674854 31.4112607
2.06 22.8299516 22.0772538 23.5826495
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
