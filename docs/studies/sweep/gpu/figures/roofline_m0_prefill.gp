set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 8.639703 8.46702438 8.81238162
0.94 2.60907215 2.5613698 2.65677449
1.94 2.54905399 2.47154514 2.62656284
EOD
$d1 << EOD
0 1654.59178 1481.41263 1827.77093
1 1592.91356 1520.79542 1665.03171
2 1913.4374 1831.46967 1995.40514
EOD
$d2 << EOD
0.06 1950.38603 1680.26656 2220.5055
1.06 1857.85384 1692.44635 2023.26134
2.06 2002.47023 1955.82884 2049.11162
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
