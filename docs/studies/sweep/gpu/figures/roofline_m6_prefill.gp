set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.824956658 0.722991209 0.926922107
0.94 1.19792635 1.1512711 1.2445816
1.94 1.01748414 0.969991937 1.06497633
EOD
$d1 << EOD
0 5.47967078 5.46199377 5.49734778
1 6.78335437 6.70233123 6.86437751
2 7.23025759 7.20769839 7.25281679
EOD
$d2 << EOD
0.06 5.48073213 5.47072914 5.49073512
1.06 6.8769898 6.78074473 6.97323488
2.06 7.19800618 7.17168765 7.22432471
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
